/**
 * The panel's cap on open streams (issue 15; docs/adr/0012 §API limits). A stream — a Health or
 * an Audit follow, a ListSymbols, a grpc.health.v1 Watch, a reflection session — holds memory
 * and timers for as long as the client keeps it open, so the panel keeps at most
 * `api.max_streams` of them open at once, and at most `api.max_streams_per_connection` on one
 * connection; a stream beyond either is refused at once with RTT_ERR_API_BUSY
 * (RESOURCE_EXHAUSTED), before any handler runs. Unary calls (Status, ApplyPlan…) are not
 * counted: they end by themselves, and Status must answer while the streams are full.
 *
 * It is a grpc-js server interceptor, so it sees the calls of every service on the socket, and
 * it counts a connection by the peer tag `callers.ts` gave its socket.
 */
import * as grpc from "@grpc/grpc-js";
import { toServiceError } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";

export interface StreamCaps {
  /** Streams open at once over every connection (panel.yaml api.max_streams). */
  readonly max: number;
  /** …and on one connection (api.max_streams_per_connection). */
  readonly perConnection: number;
}

export interface StreamGateOptions {
  /** What to run once a burst of streams is over (default: V8's gc, when exposed). */
  readonly collect?: (() => void) | undefined;
  /** Told of each stream refused, with the peer tag of its connection. */
  readonly onRefused?: (peer: string, why: RttError) => void;
}

/** A burst is over when no stream is left open for this long… */
const QUIET_MS = 2000;
/** …after at least this many were open at once: then the panel collects its garbage. */
const BURST = 64;

/**
 * V8's collector when the panel runs with --expose-gc (`rtt panel start` starts it so). An idle
 * process runs no major collection: without one, what a burst of streams left behind stays
 * resident after the streams ended (issue 15: 393 MiB after 4,000 streams, never given back).
 */
function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? (gc as () => void) : undefined;
}

export class StreamGate {
  readonly caps: StreamCaps;
  #open = 0;
  /** Open streams by connection (peer tag); a connection with none is not kept. */
  readonly #byPeer = new Map<string, number>();
  /** The most streams open at once since the last collection. */
  #peak = 0;
  #quiet: NodeJS.Timeout | undefined;
  readonly #collect: (() => void) | undefined;

  readonly #onRefused: ((peer: string, why: RttError) => void) | undefined;

  constructor(caps: StreamCaps, options: StreamGateOptions = {}) {
    this.caps = caps;
    this.#collect = "collect" in options ? options.collect : exposedGc();
    this.#onRefused = options.onRefused;
  }

  /** How many streams are open now. */
  get open(): number {
    return this.#open;
  }

  /**
   * A slot for one more stream on connection `peer`: the function that gives it back (once,
   * however often it is called), or the refusal when a cap is reached.
   */
  take(peer: string): (() => void) | RttError {
    const onPeer = this.#byPeer.get(peer) ?? 0;
    if (this.#open >= this.caps.max)
      return busy(`the panel has ${this.#open} streams open, its limit (api.max_streams)`);
    if (onPeer >= this.caps.perConnection)
      return busy(
        `this connection has ${onPeer} streams open, its limit (api.max_streams_per_connection)`,
      );
    this.#open += 1;
    this.#peak = Math.max(this.#peak, this.#open);
    clearTimeout(this.#quiet);
    this.#byPeer.set(peer, onPeer + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#open -= 1;
      const left = (this.#byPeer.get(peer) ?? 1) - 1;
      if (left === 0) this.#byPeer.delete(peer);
      else this.#byPeer.set(peer, left);
      if (this.#open === 0) this.#afterBurst();
    };
  }

  /** Once no stream is open: after a burst, and QUIET_MS without a new one, collect. */
  #afterBurst(): void {
    const collect = this.#collect;
    if (collect === undefined || this.#peak < BURST) return;
    clearTimeout(this.#quiet);
    this.#quiet = setTimeout(() => {
      this.#peak = 0;
      collect();
    }, QUIET_MS).unref();
  }

  /**
   * The grpc-js server interceptor: a streaming call takes a slot when its metadata arrives (or
   * is refused there, and its handler never runs) and gives it back when it ends — its status
   * sent, or cancelled by the client or a closed connection.
   */
  readonly interceptor: grpc.ServerInterceptor = (method, call) => {
    if (!method.requestStream && !method.responseStream)
      return new grpc.ServerInterceptingCall(call);
    let release: (() => void) | undefined;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, passOn) => {
            const peer = call.getPeer();
            const slot = this.take(peer);
            if (slot instanceof RttError) {
              this.#onRefused?.(peer, slot);
              const refusal = toServiceError(slot);
              call.sendStatus({
                code: refusal.code ?? grpc.status.RESOURCE_EXHAUSTED,
                details: slot.message,
                ...(refusal.metadata === undefined ? {} : { metadata: refusal.metadata }),
              });
              return;
            }
            release = slot;
            passOn(metadata);
          },
          onCancel: () => release?.(),
        }),
      sendStatus: (status, next) => {
        release?.();
        next(status);
      },
    });
  };
}

function busy(why: string): RttError {
  return new RttError("RTT_ERR_API_BUSY", `stream refused: ${why}`, {
    hint: "end streams you no longer read (a client that stopped watching should cancel)",
  });
}
