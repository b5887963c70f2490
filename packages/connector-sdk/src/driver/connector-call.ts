/** Calling a connector's own functions: what their failures turn into, and how long they may take. */
import { errorMessage, RttError } from "@rtt/core";

/** The error a connector's own function turned into: RttErrors pass, others are wrapped. */
export function callFailed(connector: string, fn: string, error: unknown): RttError {
  if (error instanceof RttError) return error;
  return new RttError(
    "RTT_ERR_DRIVER_CALL",
    `connector "${connector}": ${fn} failed: ${errorMessage(error)}`,
    {
      cause: error,
    },
  );
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RttError("RTT_ERR_DRIVER_TIMEOUT", `${what} took longer than ${ms} ms`)),
      ms,
    );
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
