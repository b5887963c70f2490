/**
 * The CLI's side of the panel API: a typed, promise-based client of rtt.panel.v1.Panel on the
 * workspace's sockets. It speaks the framed control channel when the panel serves one (its
 * socket beside the gRPC one: docs/adr/0029-framed-control-channel.md), and gRPC otherwise (an
 * older panel), loading grpc-js only then: on the framed path `rtt panel status` loads no gRPC
 * library at all. Errors are the RttError the panel threw, whichever the transport; a socket
 * nobody answers on is RTT_ERR_PANEL_UNREACHABLE.
 */
import { existsSync } from "node:fs";
import type { ServerStream } from "@rtt/connector-sdk/server-stream.ts";
// Types only (erased): the values of wire.ts would load grpc-js.
import type {
  ApplyResultMessage,
  AuditEventMessage,
  PanelStatusMessage,
  PanelSymbolMessage,
  PlanMessage,
  RouteHealthMessage,
  RouteListMessage,
  ScanResultMessage,
} from "@rtt/connector-sdk/wire.ts";
import type { JsonValue, TokenAction } from "@rtt/core";
import type { Topology } from "../plan/topology.ts";
import { AUTHORIZATION_KEY } from "../trust/authorization-key.ts";
import type { TokenSource } from "../trust/client-tokens.ts";
import { FramedChannel, unreachable } from "./framed-channel.ts";
import type { GrpcPanelConnection } from "./grpc-client.ts";
import { framedSocketPathOf, socketPathOf } from "./socket-path.ts";

/** What the panel has wired now, and the WAL seq it committed it at. */
export interface LiveWiring {
  readonly topology: Topology;
  readonly seq: number;
}

/** Which transport a connection uses: "auto" is framed when its socket is there, else gRPC. */
export type PanelTransport = "auto" | "framed" | "grpc";

export interface QuickConnectAck {
  route: string;
  changed: boolean;
  committed_seq: number;
  old_frames: number;
  old_to: string;
  new_to: string;
  warm: boolean;
  panel_us: number;
}

export interface BreakerReply {
  route: string;
  state: string;
  reason: string;
}

/** A stream whose source is known only later (the gRPC client, once loaded). */
function deferredStream<T>(source: Promise<ServerStream<T>>): ServerStream<T> {
  let cancelled = false;
  return {
    cancel() {
      cancelled = true;
      void source.then(
        (s) => s.cancel(),
        () => undefined,
      );
    },
    async *[Symbol.asyncIterator]() {
      const s = await source;
      if (cancelled) return;
      yield* s;
    },
  };
}

export class PanelConnection {
  readonly listen: string;
  /** The transport this connection speaks. */
  readonly transport: "framed" | "grpc";
  readonly #tokens: TokenSource;
  readonly #framed: FramedChannel | undefined;
  #grpc: Promise<GrpcPanelConnection> | undefined;

  /**
   * `tokens`: the capability token each mutating call carries (none by default). `transport`:
   * "auto" (the default) checks for the framed socket once, here.
   */
  constructor(
    listen: string,
    tokens: TokenSource = async () => undefined,
    transport: PanelTransport = "auto",
  ) {
    this.listen = listen;
    this.#tokens = tokens;
    socketPathOf(listen); // refuses a listen that is not unix://PATH, as gRPC's side does
    const framedPath = framedSocketPathOf(listen);
    this.transport =
      transport === "auto" ? (existsSync(framedPath) ? "framed" : "grpc") : transport;
    this.#framed = this.transport === "framed" ? new FramedChannel(framedPath) : undefined;
  }

  /** The gRPC client, loaded on first use (grpc-js costs ~100 ms of a CLI's start). */
  #grpcClient(): Promise<GrpcPanelConnection> {
    this.#grpc ??= import("./grpc-client.ts").then(
      (m) => new m.GrpcPanelConnection(this.listen, this.#tokens),
    );
    return this.#grpc;
  }

  /** A mutating call's metadata on the framed channel: as gRPC's `authorization` header. */
  async #auth(action: TokenAction): Promise<Record<string, string>> {
    const token = await this.#tokens(action);
    return token === undefined ? {} : { [AUTHORIZATION_KEY]: `Bearer ${token}` };
  }

  async #unary<Res>(
    method: string,
    request: unknown,
    timeoutMs: number,
    action: TokenAction | undefined,
    viaGrpc: (c: GrpcPanelConnection) => Promise<Res>,
  ): Promise<Res> {
    if (this.#framed === undefined) return this.#grpcClient().then(viaGrpc);
    const metadata = action === undefined ? {} : await this.#auth(action);
    return this.#framed.unary<Res>(method, request, timeoutMs, metadata);
  }

  /** Resolves when the socket answers; false after `timeoutMs`. */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.#framed === undefined) return (await this.#grpcClient()).ready(timeoutMs);
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.status(Math.max(1, until - Date.now()));
        return true;
      } catch {
        if (Date.now() >= until) return false;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  status(timeoutMs = 2000): Promise<PanelStatusMessage> {
    return this.#unary("Status", {}, timeoutMs, undefined, (c) => c.status(timeoutMs));
  }

  /** What the panel has wired now, and the WAL seq it committed it at. */
  async wired(): Promise<LiveWiring> {
    const status = await this.status();
    // Loaded here: the topology module brings canonical JSON and node:crypto, which a command
    // that only asks for the status (`rtt panel status`) does not need.
    const { asTopology } = await import("../plan/topology.ts");
    return {
      topology: asTopology(JSON.parse(status.topology_json) as JsonValue),
      seq: Number(status.committed_seq),
    };
  }

  /** Long deadline: an apply starts drivers and programs. */
  apply(planJson: string, who: string, why: string): Promise<ApplyResultMessage> {
    const request = { plan_json: planJson, who, why };
    return this.#unary("ApplyPlan", request, 10 * 60_000, "apply", (c) =>
      c.apply(planJson, who, why),
    );
  }

  routes(): Promise<RouteListMessage> {
    return this.#unary("ListRoutes", {}, 10_000, undefined, (c) => c.routes());
  }

  rollback(seq: number, who: string): Promise<ApplyResultMessage> {
    return this.#unary("Rollback", { seq, who }, 10 * 60_000, "rollback", (c) =>
      c.rollback(seq, who),
    );
  }

  /** The catalog's symbols, filtered as `rtt ls symbols [pattern] [--type type]` does. */
  async listSymbols(
    filter: { readonly pattern?: string; readonly type?: string } = {},
    timeoutMs = 10_000,
  ): Promise<PanelSymbolMessage[]> {
    if (this.#framed === undefined)
      return (await this.#grpcClient()).listSymbols(filter, timeoutMs);
    const stream = this.#framed.stream<PanelSymbolMessage>("ListSymbols", {
      pattern: filter.pattern ?? "",
      type: filter.type ?? "",
    });
    // A deadline, as gRPC's: past it the call fails, never a list cut short.
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      stream.cancel();
    }, timeoutMs);
    try {
      const out: PanelSymbolMessage[] = [];
      for await (const s of stream) out.push(s);
      if (late) throw unreachable("ListSymbols", "deadline exceeded");
      return out;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The plan `rtt apply` would apply now, computed by the panel against its live topology. */
  planRoutes(timeoutMs = 30_000): Promise<PlanMessage> {
    return this.#unary("PlanRoutes", {}, timeoutMs, undefined, (c) => c.planRoutes(timeoutMs));
  }

  /** A watching panel's scan report (`watching: false` from one that does not watch). */
  scan(timeoutMs = 30_000): Promise<ScanResultMessage> {
    return this.#unary("Scan", {}, timeoutMs, undefined, (c) => c.scan(timeoutMs));
  }

  /** Health samples of every wired route (or `route`), every `intervalMs`, until cancelled. */
  health(
    selector: { readonly route?: string; readonly intervalMs?: number } = {},
  ): ServerStream<RouteHealthMessage> {
    if (this.#framed === undefined)
      return deferredStream(this.#grpcClient().then((c) => c.health(selector)));
    return this.#framed.stream("Health", {
      route: selector.route ?? "",
      interval_ms: selector.intervalMs ?? 0,
    });
  }

  /** The audit ledger's records, oldest first; with `follow`, then new ones until cancelled. */
  audit(
    query: { readonly route?: string; readonly limit?: number; readonly follow?: boolean } = {},
  ): ServerStream<AuditEventMessage> {
    if (this.#framed === undefined)
      return deferredStream(this.#grpcClient().then((c) => c.audit(query)));
    return this.#framed.stream("Audit", {
      route: query.route ?? "",
      limit: query.limit ?? 0,
      follow: query.follow ?? false,
    });
  }

  /** `rtt qc from -> to`: a hot swap of a wired route. */
  quickConnect(from: string, to: string, who: string): Promise<QuickConnectAck> {
    return this.#unary("QuickConnect", { from, to, who, params: {} }, 60_000, "qc", (c) =>
      c.quickConnect(from, to, who),
    );
  }

  /** `rtt trip` / `rtt heal`: a route's breaker, by hand. */
  breaker(kind: "trip" | "heal", route: string, who: string, why = ""): Promise<BreakerReply> {
    const method = kind === "trip" ? "Trip" : "Heal";
    return this.#unary(method, { route, who, why }, 10_000, kind, (c) =>
      c.breaker(kind, route, who, why),
    );
  }

  shutdown(reason: string): Promise<{ pid: number }> {
    return this.#unary("Shutdown", { reason }, 5000, "shutdown", (c) => c.shutdown(reason));
  }

  close(): void {
    this.#framed?.close();
    void this.#grpc?.then((c) => c.close());
  }
}
