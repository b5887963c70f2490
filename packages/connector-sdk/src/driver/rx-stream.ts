/**
 * The Connector service's Rx call: a link's rx chunks streamed to a caller (a tap or a test)
 * besides the link's outbound lane. The call is an RxTap on the link, so the outbound pump
 * waits for it as it waits for a full lane.
 */
import type * as grpc from "@grpc/grpc-js";
import type { RxChunk } from "../generated/rtt/connector/v1/RxChunk.ts";
import type { RxRequest__Output } from "../generated/rtt/connector/v1/RxRequest.ts";
import { toServiceError } from "../wire.ts";
import type { DriverRuntime } from "./runtime.ts";
import type { RxTap } from "./rx-taps.ts";

type RxCall = grpc.ServerWritableStream<RxRequest__Output, RxChunk>;

/** Taps the requested link for one Rx call; an unknown or closed link fails the call. */
export function serveRx<L>(runtime: DriverRuntime<L>, call: RxCall): void {
  const { link_id: linkId, max } = call.request;
  const tap = new RxCallTap(call, max);
  try {
    tap.attached(runtime.tap(linkId, tap));
  } catch (error) {
    tap.refused(error);
  }
}

/**
 * One Rx call as a tap: each chunk is written to the call; once the call's buffer is full,
 * `drained()` holds the pump until the call's 'drain'. The call ends after `max` chunks
 * (0: no limit) or when the link's rx ends, and the tap leaves the link when the call ends or
 * its caller cancels.
 */
class RxCallTap implements RxTap {
  readonly #call: RxCall;
  readonly #max: number;
  #last = 0;
  #sent = 0;
  #full = false;
  #ended = false;
  readonly #waiters: (() => void)[] = [];
  #detach: () => void = () => {};

  constructor(call: RxCall, max: number) {
    this.#call = call;
    this.#max = max;
    call.on("drain", () => this.#wake());
    call.on("cancelled", () => this.#finish(false));
  }

  get last(): number {
    return this.#last;
  }

  push(chunk: Uint8Array, index: number, correlation: number): boolean {
    if (this.#ended) return true;
    this.#last = index;
    this.#sent++;
    const room = this.#call.write({
      bytes: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      index,
      correlation,
    });
    if (!room) this.#full = true;
    if (this.#max > 0 && this.#sent >= this.#max) this.#finish(true);
    return room;
  }

  drained(): Promise<void> {
    if (this.#ended || !this.#full) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  end(): void {
    this.#finish(true);
  }

  /** The runtime took the tap: `detach` takes it off the link when the call ends. */
  attached(detach: () => void): void {
    this.#detach = detach;
  }

  /** The runtime refused the tap (no such link): the call fails with the reason. */
  refused(error: unknown): void {
    this.#ended = true;
    this.#call.emit("error", toServiceError(error));
  }

  #wake(): void {
    this.#full = false;
    for (const w of this.#waiters.splice(0)) w();
  }

  #finish(endCall: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#detach();
    this.#wake();
    if (endCall) this.#call.end();
  }
}
