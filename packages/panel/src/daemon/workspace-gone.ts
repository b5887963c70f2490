/**
 * A panel whose workspace was deleted (or moved away, or replaced) under it: its socket, WAL,
 * routes and log went with the folder, so no client can reach it and `rtt panel stop` cannot
 * find it — left alone it would run its drivers and their programs until the machine restarts.
 * The daemon looks at its `.rtt/` folder every WORKSPACE_CHECK_MS and, once that is not the
 * folder it started in, stops as `rtt panel stop` would.
 */
import { statSync } from "node:fs";

/** How often the folder is looked at: one stat(2), a cost an idle panel does not notice. */
export const WORKSPACE_CHECK_MS = 2000;

/** The folder's identity: a path that now names another folder is not the workspace either. */
function identity(dir: string): string | undefined {
  try {
    const stat = statSync(dir);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once, with the reason, when `rttDir` is no longer the folder it is now;
 * `stop()` ends the watch.
 */
export function watchWorkspace(
  rttDir: string,
  onGone: (why: string) => void,
  intervalMs = WORKSPACE_CHECK_MS,
): { stop(): void } {
  const started = identity(rttDir);
  const timer = setInterval(() => {
    const now = identity(rttDir);
    if (now === started) return;
    clearInterval(timer);
    onGone(
      now === undefined
        ? `${rttDir} is gone (the workspace was deleted or moved)`
        : `${rttDir} is another folder now (the workspace was replaced)`,
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
