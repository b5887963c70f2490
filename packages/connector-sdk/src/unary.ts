/**
 * One gRPC unary call as every RTT service and client makes it, so the driver's Connector
 * service, the panel's Panel service and both their clients agree on how a call succeeds and
 * fails (docs/design.md §Principles: fail precisely):
 *
 * - a handler is a function giving the answer or a Promise of it; a throw (or a rejection) leaves
 *   as the error's gRPC status with its RTT code and hint in trailers (`toServiceError`);
 * - a call is a Promise with a deadline; a failure becomes the RttError the caller names (the
 *   code the server sent, rebuilt, or what a transport failure means to that caller), and an
 *   answer with no message is an error too, never an `undefined` result.
 */
import type * as grpc from "@grpc/grpc-js";
import { toServiceError } from "./wire.ts";

/** A grpc-js unary handler that answers with what `run` returns or resolves to. */
export function unaryHandler<Req, Res>(
  run: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    // Through a promise even when `run` is synchronous: a throw is an answer too, never a crash.
    Promise.resolve()
      .then(() => run(call.request, call))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
  };
}

/** A generated client's unary method with its request bound: `(o, cb) => client.M(req, o, cb)`. */
export type UnaryInvocation<Res> = (
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => unknown;

/** What a failed unary call becomes, in the words of the client that made it. */
export interface UnaryFailures {
  /** The server answered with an error, or the call never reached it. */
  failed(error: grpc.ServiceError): Error;
  /** The server answered with no message. */
  empty(): Error;
}

/** Runs one unary call with a deadline `timeoutMs` from now; rejects as `failures` say. */
export function callUnary<Res>(
  invoke: UnaryInvocation<Res>,
  timeoutMs: number,
  failures: UnaryFailures,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke({ deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error !== null) reject(failures.failed(error));
      else if (response === undefined) reject(failures.empty());
      else resolve(response);
    });
  });
}
