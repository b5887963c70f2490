/**
 * The client's end of the framed control channel (docs/adr/0029-framed-control-channel.md): one
 * Unix socket connection, many calls in flight on it by call id, unary and server-streaming.
 * It loads no gRPC library: `rtt panel status` starts and answers without grpc-js. The CLI
 * speaks it to the panel (the Panel service), the panel to its drivers (the Connector service).
 *
 * A call that fails comes back as the RttError the server sent (the same code, message and hint
 * gRPC's trailers carry), as the caller's `failures` word it; a server nobody answers for, or a
 * connection lost under a call, is what `failures.lost` makes of it, as on the gRPC side.
 */
import { connect, type Socket } from "node:net";
import { RttError } from "@rtt/core/errors.ts";
import type { ServerStream } from "../server-stream.ts";
import { encodeFrame, type Frame, FrameDecoder } from "./frame.ts";
import {
  decodeErrorBody,
  encodeRequestBody,
  type FramedMetadata,
  type FramedMethod,
  type MethodTable,
} from "./messages.ts";

/** What a failed call becomes, in the words of the client that made it. */
export interface ChannelFailures {
  /** No answer: the server is not there, or the connection was lost (`why`) under the call. */
  lost(method: string, why: string, cause?: unknown): RttError;
  /** No answer within the call's deadline (the call was cancelled on the wire). */
  deadline(method: string): RttError;
  /** The server answered with this error (its code, message and hint as sent). */
  sent(method: string, error: RttError): RttError;
}

/** What the channel tells a call in flight. */
interface Pending {
  readonly method: FramedMethod;
  frame(frame: Frame): void;
  lost(error: RttError): void;
}

export class FramedChannel {
  readonly #path: string;
  readonly #table: () => MethodTable;
  readonly #failures: ChannelFailures;
  #socket: Socket | undefined;
  #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  /** `table`: the service's methods (loaded on the first call). */
  constructor(path: string, table: () => MethodTable, failures: ChannelFailures) {
    this.#path = path;
    this.#table = table;
    this.#failures = failures;
  }

  /** The connection, opened on first use (and again after one was lost). */
  #connection(): Socket {
    if (this.#socket !== undefined && !this.#socket.destroyed) return this.#socket;
    const socket = connect(this.#path);
    socket.setNoDelay(true);
    this.#decoder = new FrameDecoder();
    socket.on("data", (chunk: Buffer) => this.#read(socket, chunk));
    socket.on("error", (e: NodeJS.ErrnoException) => this.#lose(socket, e.code ?? e.message, e));
    socket.on("close", () => this.#lose(socket, "the connection closed"));
    this.#socket = socket;
    this.#sync();
    return socket;
  }

  /** Keeps the process alive only while calls are in flight (as grpc-js does). */
  #sync(): void {
    if (this.#pending.size === 0) this.#socket?.unref();
    else this.#socket?.ref();
  }

  #read(socket: Socket, chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      socket.destroy();
      this.#lose(socket, (error as Error).message, error);
      return;
    }
    for (const frame of frames) {
      if (frame.callId === 0 && frame.kind === "error") {
        const e = decodeErrorBody(frame.body);
        this.#lose(socket, `the server refused the connection: ${e.message}`, e);
        return;
      }
      this.#pending.get(frame.callId)?.frame(frame);
    }
  }

  #lose(socket: Socket, why: string, cause?: unknown): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    const lost = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of lost) p.lost(this.#failures.lost(p.method.name, why, cause));
  }

  #begin(
    methodName: string,
    request: unknown,
    metadata: FramedMetadata,
    pending: (id: number, method: FramedMethod) => Pending,
  ): number {
    const method = this.#table().byName.get(methodName);
    if (method === undefined)
      throw new RttError("RTT_ERR_INTERNAL", `the service has no method ${methodName}`);
    if (this.#closed) throw this.#failures.lost(methodName, "the connection was closed");
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    const body = encodeRequestBody(metadata, method.encodeRequest(request));
    const socket = this.#connection();
    this.#pending.set(id, pending(id, method));
    this.#sync();
    socket.write(encodeFrame({ kind: "request", callId: id, methodId: method.id, body }));
    return id;
  }

  #end(id: number, cancel: boolean): void {
    if (!this.#pending.delete(id)) return;
    if (cancel && this.#socket !== undefined && !this.#socket.destroyed)
      this.#socket.write(
        encodeFrame({ kind: "cancel", callId: id, methodId: 0, body: new Uint8Array(0) }),
      );
    this.#sync();
    this.#endIfClosed();
  }

  /** After close(): the connection ends once the calls in flight have their answers. */
  #endIfClosed(): void {
    if (this.#closed && this.#pending.size === 0) this.#socket?.end();
  }

  /** One unary call, answered within `timeoutMs` or `failures.deadline`. */
  unary<Res>(
    methodName: string,
    request: unknown,
    timeoutMs: number,
    metadata: FramedMetadata = {},
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      let id = 0;
      const timer = setTimeout(() => {
        this.#end(id, true);
        reject(this.#failures.deadline(methodName));
      }, timeoutMs);
      const settle = (fn: () => void) => {
        clearTimeout(timer);
        this.#end(id, false);
        fn();
      };
      try {
        id = this.#begin(methodName, request, metadata, (_, method) => ({
          method,
          frame: (f) => {
            if (f.kind === "response") settle(() => resolve(method.decodeResponse(f.body) as Res));
            else if (f.kind === "error")
              settle(() => reject(this.#failures.sent(methodName, decodeErrorBody(f.body))));
          },
          lost: (e) => settle(() => reject(e)),
        }));
      } catch (error) {
        clearTimeout(timer);
        reject(error);
      }
    });
  }

  /**
   * A server stream, started when first iterated; after `cancel()` (or a consumer that stops
   * early) the call ends and the iteration just stops.
   */
  stream<T>(methodName: string, request: unknown): ServerStream<T> {
    const queue: T[] = [];
    let over: { error?: RttError } | undefined;
    let wake: (() => void) | undefined;
    let cancelled = false;
    let id = 0;
    const settle = (fn: () => void) => {
      fn();
      wake?.();
      wake = undefined;
    };
    const start = () => {
      id = this.#begin(methodName, request, {}, (_, method) => ({
        method,
        frame: (f) => {
          if (f.kind === "item") settle(() => queue.push(method.decodeResponse(f.body) as T));
          else if (f.kind === "end" || f.kind === "error") {
            this.#end(id, false);
            settle(() => {
              over =
                f.kind === "end"
                  ? {}
                  : { error: this.#failures.sent(methodName, decodeErrorBody(f.body)) };
            });
          }
        },
        lost: (e) => settle(() => (over = { error: e })),
      }));
    };
    const cancel = () => {
      cancelled = true;
      this.#end(id, true);
      settle(() => (over ??= {}));
    };
    return {
      cancel,
      async *[Symbol.asyncIterator]() {
        try {
          if (!cancelled) start();
          for (;;) {
            const next = queue.shift();
            if (next !== undefined) {
              yield next;
              continue;
            }
            if (over !== undefined) {
              if (over.error !== undefined && !cancelled) throw over.error;
              return;
            }
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        } finally {
          // A consumer that stops early (break, throw) ends the call too.
          if (over === undefined) cancel();
        }
      },
    };
  }

  /** No new calls; those in flight still get their answers (as a grpc-js client's close). */
  close(): void {
    this.#closed = true;
    this.#endIfClosed();
  }
}
