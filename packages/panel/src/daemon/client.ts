/**
 * The CLI's side of the panel API: a typed, promise-based client of rtt.panel.v1.Panel on the
 * workspace's socket. Errors come back as the RttError the panel threw (its code rides in a
 * trailer); a socket nobody answers on is RTT_ERR_PANEL_UNREACHABLE.
 */
import * as grpc from "@grpc/grpc-js";
import {
  type ApplyResultMessage,
  ERROR_CODE_KEY,
  ERROR_HINT_KEY,
  grpcTarget,
  isErrorCode,
  type PanelClient,
  type PanelStatusMessage,
  panelPackage,
  type RouteListMessage,
} from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { socketPathOf } from "./daemon.ts";

function fromPanelError(method: string, error: grpc.ServiceError): RttError {
  const code = error.metadata?.get(ERROR_CODE_KEY)[0];
  const hint = error.metadata?.get(ERROR_HINT_KEY)[0];
  if (typeof code === "string" && isErrorCode(code))
    return new RttError(code, error.details, {
      cause: error,
      ...(typeof hint === "string" ? { hint } : {}),
    });
  return new RttError(
    "RTT_ERR_PANEL_UNREACHABLE",
    `the panel did not answer ${method}: ${error.details}`,
    {
      cause: error,
      hint: "`rtt panel status` says whether one runs; its log is .rtt/panel.log",
    },
  );
}

export class PanelConnection {
  readonly listen: string;
  readonly #client: PanelClient;

  constructor(listen: string) {
    this.listen = listen;
    const Panel = panelPackage().Panel;
    this.#client = new Panel(grpcTarget(socketPathOf(listen)), grpc.credentials.createInsecure(), {
      "grpc.initial_reconnect_backoff_ms": 50,
      "grpc.max_reconnect_backoff_ms": 500,
    });
  }

  #call<Res>(
    method: string,
    timeoutMs: number,
    call: (
      options: grpc.CallOptions,
      callback: (error: grpc.ServiceError | null, response?: Res) => void,
    ) => unknown,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      call({ deadline: Date.now() + timeoutMs }, (error, response) => {
        if (error) reject(fromPanelError(method, error));
        else if (response === undefined)
          reject(new RttError("RTT_ERR_INTERNAL", `the panel's ${method} answer is empty`));
        else resolve(response);
      });
    });
  }

  /** Resolves when the socket answers; false after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) =>
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => resolve(!error)),
    );
  }

  status(timeoutMs = 2000): Promise<PanelStatusMessage> {
    return this.#call("Status", timeoutMs, (o, cb) => this.#client.Status({}, o, cb));
  }

  /** Long deadline: an apply starts drivers and programs. */
  apply(planJson: string, who: string, why: string): Promise<ApplyResultMessage> {
    return this.#call("ApplyPlan", 10 * 60_000, (o, cb) =>
      this.#client.ApplyPlan({ plan_json: planJson, who, why }, o, cb),
    );
  }

  routes(): Promise<RouteListMessage> {
    return this.#call("ListRoutes", 10_000, (o, cb) => this.#client.ListRoutes({}, o, cb));
  }

  rollback(seq: number, who: string): Promise<ApplyResultMessage> {
    return this.#call("Rollback", 10 * 60_000, (o, cb) =>
      this.#client.Rollback({ seq, who }, o, cb),
    );
  }

  shutdown(reason: string): Promise<{ pid: number }> {
    return this.#call("Shutdown", 5000, (o, cb) => this.#client.Shutdown({ reason }, o, cb));
  }

  close(): void {
    this.#client.close();
  }
}
