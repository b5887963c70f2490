/**
 * The panel API over gRPC: a typed, promise-based client of rtt.panel.v1.Panel on the
 * workspace's gRPC socket, for a panel that serves no framed control channel (client.ts picks).
 * Errors come back as the RttError the panel threw (its code rides in a trailer); a socket
 * nobody answers on is RTT_ERR_PANEL_UNREACHABLE.
 */
import * as grpc from "@grpc/grpc-js";
// Single modules, not the SDK's index: `rtt panel status` must not load the driver runtime.
import { type ServerStream, serverStream } from "@rtt/connector-sdk/server-stream.ts";
import { callUnary, type UnaryInvocation } from "@rtt/connector-sdk/unary.ts";
import {
  type ApplyResultMessage,
  type AuditEventMessage,
  grpcTarget,
  LOCAL_CHANNEL_OPTIONS,
  type PanelClient,
  type PanelStatusMessage,
  type PanelSymbolMessage,
  type PlanMessage,
  panelPackage,
  type RouteHealthMessage,
  type RouteListMessage,
  type ScanResultMessage,
  sentRttError,
} from "@rtt/connector-sdk/wire.ts";
import { RttError, type TokenAction } from "@rtt/core";
import { AUTHORIZATION_KEY } from "../trust/authorization-key.ts";
import type { TokenSource } from "../trust/client-tokens.ts";
import type { QuickConnectAck } from "./client.ts";
import { socketPathOf } from "./socket-path.ts";

function fromPanelError(method: string, error: grpc.ServiceError): RttError {
  const sent = sentRttError(error);
  if (sent !== undefined) return sent;
  return new RttError(
    "RTT_ERR_PANEL_UNREACHABLE",
    `the panel did not answer ${method}: ${error.details}`,
    {
      cause: error,
      hint: "`rtt panel status` says whether one runs; its log is .rtt/panel.log",
    },
  );
}

/** A server stream of the panel; after `cancel()` the iteration just stops. */
function panelStream<T>(method: string, call: grpc.ClientReadableStream<T>): ServerStream<T> {
  return serverStream(call, (error, cancelled) => {
    const e = error as grpc.ServiceError;
    return cancelled && e.code === grpc.status.CANCELLED ? undefined : fromPanelError(method, e);
  });
}

export class GrpcPanelConnection {
  readonly listen: string;
  readonly #client: PanelClient;
  readonly #tokens: TokenSource;

  /** `tokens`: the capability token each mutating call carries (none by default). */
  constructor(listen: string, tokens: TokenSource = async () => undefined) {
    this.listen = listen;
    this.#tokens = tokens;
    const Panel = panelPackage().Panel;
    this.#client = new Panel(
      grpcTarget(socketPathOf(listen)),
      grpc.credentials.createInsecure(),
      LOCAL_CHANNEL_OPTIONS,
    );
  }

  #call<Res>(method: string, timeoutMs: number, call: UnaryInvocation<Res>): Promise<Res> {
    return callUnary(call, timeoutMs, {
      failed: (error) => fromPanelError(method, error),
      empty: () => new RttError("RTT_ERR_INTERNAL", `the panel's ${method} answer is empty`),
    });
  }

  /** A mutating call's metadata: `authorization: Bearer <token>` when there is a token. */
  async #auth(action: TokenAction): Promise<grpc.Metadata> {
    const metadata = new grpc.Metadata();
    const token = await this.#tokens(action);
    if (token !== undefined) metadata.set(AUTHORIZATION_KEY, `Bearer ${token}`);
    return metadata;
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
  async apply(planJson: string, who: string, why: string): Promise<ApplyResultMessage> {
    const auth = await this.#auth("apply");
    return this.#call("ApplyPlan", 10 * 60_000, (o, cb) =>
      this.#client.ApplyPlan({ plan_json: planJson, who, why }, auth, o, cb),
    );
  }

  routes(): Promise<RouteListMessage> {
    return this.#call("ListRoutes", 10_000, (o, cb) => this.#client.ListRoutes({}, o, cb));
  }

  async rollback(seq: number, who: string): Promise<ApplyResultMessage> {
    const auth = await this.#auth("rollback");
    return this.#call("Rollback", 10 * 60_000, (o, cb) =>
      this.#client.Rollback({ seq, who }, auth, o, cb),
    );
  }

  /** The catalog's symbols, filtered as `rtt ls symbols [pattern] [--type type]` does. */
  async listSymbols(
    filter: { readonly pattern?: string; readonly type?: string } = {},
    timeoutMs = 10_000,
  ): Promise<PanelSymbolMessage[]> {
    const call = this.#client.ListSymbols(
      { pattern: filter.pattern ?? "", type: filter.type ?? "" },
      { deadline: Date.now() + timeoutMs },
    );
    const out: PanelSymbolMessage[] = [];
    for await (const s of panelStream("ListSymbols", call)) out.push(s);
    return out;
  }

  /** The plan `rtt apply` would apply now, computed by the panel against its live topology. */
  planRoutes(timeoutMs = 30_000): Promise<PlanMessage> {
    return this.#call("PlanRoutes", timeoutMs, (o, cb) => this.#client.PlanRoutes({}, o, cb));
  }

  /** A watching panel's scan report (`watching: false` from one that does not watch). */
  scan(timeoutMs = 30_000): Promise<ScanResultMessage> {
    return this.#call("Scan", timeoutMs, (o, cb) => this.#client.Scan({}, o, cb));
  }

  /** Health samples of every wired route (or `route`), every `intervalMs`, until cancelled. */
  health(
    selector: { readonly route?: string; readonly intervalMs?: number } = {},
  ): ServerStream<RouteHealthMessage> {
    return panelStream(
      "Health",
      this.#client.Health({ route: selector.route ?? "", interval_ms: selector.intervalMs ?? 0 }),
    );
  }

  /** The audit ledger's records, oldest first; with `follow`, then new ones until cancelled. */
  audit(
    query: { readonly route?: string; readonly limit?: number; readonly follow?: boolean } = {},
  ): ServerStream<AuditEventMessage> {
    return panelStream(
      "Audit",
      this.#client.Audit({
        route: query.route ?? "",
        limit: query.limit ?? 0,
        follow: query.follow ?? false,
      }),
    );
  }

  /** `rtt qc from -> to`: a hot swap of a wired route. */
  async quickConnect(from: string, to: string, who: string): Promise<QuickConnectAck> {
    const auth = await this.#auth("qc");
    return this.#call("QuickConnect", 60_000, (o, cb) =>
      this.#client.QuickConnect({ from, to, who, params: {} }, auth, o, cb),
    );
  }

  /** `rtt trip` / `rtt heal`: a route's breaker, by hand. */
  async breaker(
    kind: "trip" | "heal",
    route: string,
    who: string,
    why = "",
  ): Promise<{ route: string; state: string; reason: string }> {
    const auth = await this.#auth(kind);
    return this.#call(kind === "trip" ? "Trip" : "Heal", 10_000, (o, cb) =>
      kind === "trip"
        ? this.#client.Trip({ route, who, why }, auth, o, cb)
        : this.#client.Heal({ route, who, why }, auth, o, cb),
    );
  }

  async shutdown(reason: string): Promise<{ pid: number }> {
    const auth = await this.#auth("shutdown");
    return this.#call("Shutdown", 5000, (o, cb) => this.#client.Shutdown({ reason }, auth, o, cb));
  }

  close(): void {
    this.#client.close();
  }
}
