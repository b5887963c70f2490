/**
 * One gRPC server stream as RTT's clients read it (the driver's and the panel's; unary.ts is the
 * same for unary calls): iterate it, or `cancel()` it; a consumer that stops early (break,
 * throw) ends the call too, and a failure becomes the error the client names.
 */
import type * as grpc from "@grpc/grpc-js";

/** A server stream: iterate it, or cancel it. */
export interface ServerStream<T> extends AsyncIterable<T> {
  cancel(): void;
}

/**
 * What a failed server stream becomes, in the words of the client that read it: the error to
 * throw, or undefined to end the iteration quietly. `cancelled`: the reader had cancelled it.
 */
export type StreamFailure = (error: unknown, cancelled: boolean) => Error | undefined;

/** Reads `call` as a ServerStream; `failed` says what its failure becomes. */
export function serverStream<T>(
  call: grpc.ClientReadableStream<T>,
  failed: StreamFailure,
): ServerStream<T> {
  let cancelled = false;
  return {
    cancel() {
      cancelled = true;
      call.cancel();
    },
    async *[Symbol.asyncIterator]() {
      try {
        for await (const item of call) yield item as T;
      } catch (error) {
        const thrown = failed(error, cancelled);
        if (thrown !== undefined) throw thrown;
      } finally {
        // A consumer that stops early (break, throw) ends the call too.
        if (!cancelled) call.cancel();
      }
    },
  };
}
