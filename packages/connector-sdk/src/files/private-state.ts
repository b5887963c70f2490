/**
 * Run state is private (issue 15 finding 5, ADR 0022): what `.rtt/run` holds — a route's
 * journal of events, its delivered mark, the records and FIFOs of its programs — is readable by
 * the workspace's owner only. Files are created with their mode (never chmod after: there
 * would be a moment when another user could open them, and an open file stays open); folders
 * too, and one left looser by an older RTT is tightened when opened.
 */
import { chmodSync, mkdirSync, statSync } from "node:fs";

/** Every file under `.rtt/run`. The process umask can only take bits away from it. */
export const PRIVATE_FILE_MODE = 0o600;
/** Every folder under `.rtt/run`. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` — and the parents it lacks — private folders; an existing `dir` that others may
 * read, write or enter is tightened to 0700.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, PRIVATE_DIR_MODE);
}
