/**
 * Retiring a program that consumes a route (ADR 0024): end its input, let it finish, and only
 * then force it. A consumer may hold everything it was given until end of input (`sort`, `tac`,
 * `awk` with buffered output, a batch job): SIGTERM sent with the EOF would lose all of it. So:
 *
 *   1. its input is closed (`closeInput`: EOF on its stdin);
 *   2. it has `drainMs` to exit by itself — "exited", with its own status;
 *   3. then SIGTERM and `graceMs` more — "terminated";
 *   4. then SIGKILL — "killed".
 *
 * Only "exited" with status 0 acknowledges what the program took (ADR 0024); the caller reports
 * which of the three it was and how many frames the program had taken.
 */
import { goneWithin, type ProcessTarget, terminate } from "./terminate.ts";

/** How a drained program ended: by itself after EOF, after SIGTERM, or by SIGKILL. */
export type DrainEnd = "exited" | "terminated" | "killed";

/** The default `x-drain-ms`: how long a retired program has to finish after EOF. */
export const DEFAULT_DRAIN_MS = 5000;

export interface DrainOptions {
  /** Ends the program's input (closes its stdin); called first, once. */
  readonly closeInput: () => void;
  /** How long it has to exit after its input ended, before SIGTERM. */
  readonly drainMs: number;
  /** How long it has after SIGTERM, before SIGKILL. */
  readonly graceMs: number;
  /** Called just before the SIGTERM: it did not finish within `drainMs`. */
  readonly onTerm?: () => void;
  /** Called just before the SIGKILL. */
  readonly onKill?: () => void;
}

/** Drains `target` as described at the top; resolves once it is gone (or was sent SIGKILL). */
export async function drain(target: ProcessTarget, options: DrainOptions): Promise<DrainEnd> {
  options.closeInput();
  if (await goneWithin(target, options.drainMs)) return "exited";
  options.onTerm?.();
  const ended = await terminate(target, {
    graceMs: options.graceMs,
    ...(options.onKill === undefined ? {} : { onKill: options.onKill }),
  });
  return ended === "killed" ? "killed" : "terminated";
}
