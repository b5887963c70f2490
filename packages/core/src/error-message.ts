/**
 * The text of a caught value, for a log line or an error built on it. JavaScript can throw
 * anything, so a catch clause cannot assume `.message`: an Error gives its message, any other
 * value (a string, a number, a rejected non-Error) what String() makes of it.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A caught value as an Error: an Error as it is, any other value an Error of its String(). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
