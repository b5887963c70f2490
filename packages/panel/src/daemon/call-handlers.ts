/**
 * How each call of the Panel service answers and fails (issue 15; docs/adr/0012 §API limits).
 * A handler's RttError leaves as its status and code; anything else it throws is a bug, and
 * leaves as RTT_ERR_INTERNAL with a message that says only which call failed — the detail (a
 * stack, a message that may quote the request) goes to the panel's log, never to the client.
 * An error's message is cut to MAX_DETAILS_CHARS: it rides in the trailers, and a trailer past
 * the client's header limit breaks its connection. Streams write through `send`, which waits
 * for a client that reads slower than the panel writes instead of buffering without bound.
 */
import type * as grpc from "@grpc/grpc-js";
import { toServiceError, unaryHandler } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";

/** The longest error message the panel sends (a few diagnostics' worth). */
export const MAX_DETAILS_CHARS = 4096;

/** What the handlers log to. */
export type Log = (line: string) => void;

/** What the client is told when `call` failed: an RttError as it is (cut short), else INTERNAL. */
export function answerFor(call: string, error: unknown, log: Log): RttError {
  if (!(error instanceof RttError)) {
    log(
      `${call} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return new RttError("RTT_ERR_INTERNAL", `${call} failed inside the panel`, {
      hint: "the panel's log (.rtt/panel.log) has the detail; please report it",
    });
  }
  if (error.message.length <= MAX_DETAILS_CHARS) return error;
  const cut = `${error.message.slice(0, MAX_DETAILS_CHARS)}… (${error.message.length - MAX_DETAILS_CHARS} more characters)`;
  return new RttError(error.code, cut, {
    cause: error,
    ...(error.hint === undefined ? {} : { hint: error.hint.slice(0, MAX_DETAILS_CHARS) }),
  });
}

/** A unary handler of call `name` from a function giving the answer (see answerFor). */
export function panelUnary<Req, Res>(
  name: string,
  log: Log,
  run: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return unaryHandler(async (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => {
    try {
      return await run(request, call);
    } catch (error) {
      throw answerFor(name, error, log);
    }
  });
}

/**
 * A server-streaming handler of call `name` from an async function that writes to the call and
 * returns when the stream is complete; a throw ends the stream as answerFor says.
 */
export function panelStreaming<Req, Res>(
  name: string,
  log: Log,
  run: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    Promise.resolve()
      .then(() => run(call))
      .then(
        () => {
          if (!call.cancelled) call.end();
        },
        (error: unknown) => {
          if (!call.cancelled) call.emit("error", toServiceError(answerFor(name, error, log)));
        },
      );
  };
}

/**
 * Resolves on the first of `events` from `call`, on the panel's stop, or after `ms` (if given),
 * leaving no listener or timer behind.
 */
function firstOf(
  call: grpc.ServerWritableStream<unknown, unknown>,
  events: readonly string[],
  closing: AbortSignal,
  ms?: number,
): Promise<void> {
  return new Promise((resolve) => {
    if (call.cancelled || closing.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const e of events) call.off(e, done);
      closing.removeEventListener("abort", done);
      resolve();
    };
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    for (const e of events) call.on(e, done);
    closing.addEventListener("abort", done);
  });
}

/** Resolves after `ms`, or as soon as the call is cancelled or the panel stops. */
export function pause(
  call: grpc.ServerWritableStream<unknown, unknown>,
  closing: AbortSignal,
  ms: number,
): Promise<void> {
  return firstOf(call, ["cancelled"], closing, ms);
}

/**
 * Writes `message` to the stream; when the client has not read what was written before (the
 * stream's buffer is full), resolves only once it has — or the call ended, or the panel stops.
 */
export async function send<Res>(
  call: grpc.ServerWritableStream<unknown, Res>,
  closing: AbortSignal,
  message: Res,
): Promise<void> {
  if (call.cancelled || closing.aborted) return;
  if (call.write(message)) return;
  await firstOf(
    call as grpc.ServerWritableStream<unknown, unknown>,
    ["drain", "cancelled", "close"],
    closing,
  );
}
