/**
 * The framed control channel's calls as a gRPC service's handlers see them: the same shapes
 * grpc-js hands them (a request, metadata, getPeer, `cancelled`, and for a stream write/end and
 * the "error", "cancelled" and "drain" events), so one set of handlers serves both transports
 * (docs/adr/0029-framed-control-channel.md): the panel's (panel-service.ts, with
 * request-checks.ts and call-handlers.ts around them) and a driver's (driver/service.ts).
 * What a handler answers goes back as frames.
 */
import { EventEmitter } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { ERROR_CATALOG, type ErrorCode, RttError } from "@rtt/core";
import { ERROR_CODE_KEY, ERROR_HINT_KEY } from "../wire.ts";

/** Where a call's answers go: the connection, which frames them. */
export interface CallSink {
  /** False when the socket's buffer is full: wait for the connection's "drain". */
  item(message: unknown): boolean;
  response(message: unknown): void;
  end(): void;
  error(error: RttError): void;
  /** The call is over (answered, failed or cancelled): its id and stream slot are free. */
  done(): void;
}

/** grpc.Metadata of a framed request's metadata (what `authorize` and the audit read). */
export function metadataOf(fields: Readonly<Record<string, string>>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(fields)) {
    try {
      metadata.set(k, v);
    } catch {
      // A key gRPC would not carry either (upper case, spaces…): the call goes without it.
    }
  }
  return metadata;
}

/** The RttError of what a handler answered with: toServiceError's status, read back. */
export function errorOfStatus(status: unknown): RttError {
  if (status instanceof RttError) return status;
  const s = (status ?? {}) as Partial<grpc.StatusObject>;
  const code = s.metadata?.get(ERROR_CODE_KEY)[0];
  const hint = s.metadata?.get(ERROR_HINT_KEY)[0];
  if (typeof code === "string" && Object.hasOwn(ERROR_CATALOG, code))
    return new RttError(code as ErrorCode, s.details ?? "", {
      ...(typeof hint === "string" ? { hint } : {}),
    });
  return new RttError("RTT_ERR_INTERNAL", s.details ?? "a call failed inside the panel");
}

/** One call in flight, as a grpc-js server call. */
export class FramedCall extends EventEmitter {
  readonly request: unknown;
  readonly metadata: grpc.Metadata;
  readonly #peer: string;
  readonly #sink: CallSink;
  #over = false;

  constructor(request: unknown, metadata: grpc.Metadata, peer: string, sink: CallSink) {
    super();
    this.request = request;
    this.metadata = metadata;
    this.#peer = peer;
    this.#sink = sink;
    // A streaming handler fails by emitting "error" (call-handlers.ts, request-checks.ts).
    this.on("error", (status: unknown) => this.#finish(() => sink.error(errorOfStatus(status))));
  }

  /** The connection's tag (callers.ts maps it to who connected). */
  getPeer(): string {
    return this.#peer;
  }

  get cancelled(): boolean {
    return this.#over;
  }

  /** The unary handler's callback. */
  readonly callback = (status: unknown, response?: unknown): void => {
    if (status !== null && status !== undefined)
      this.#finish(() => this.#sink.error(errorOfStatus(status)));
    else this.#finish(() => this.#sink.response(response ?? {}));
  };

  write(message: unknown): boolean {
    if (this.#over) return false;
    return this.#sink.item(message);
  }

  end(): void {
    this.#finish(() => this.#sink.end());
  }

  /** The client cancelled, or its connection closed: handlers stop at their next look. */
  cancel(): void {
    if (this.#over) return;
    this.#over = true;
    this.#sink.done();
    this.emit("cancelled");
    this.emit("close");
  }

  #finish(answer: () => void): void {
    if (this.#over) return;
    this.#over = true;
    try {
      answer();
    } finally {
      this.#sink.done();
    }
  }
}
