/**
 * A Node driver's compile cache (`NODE_COMPILE_CACHE`, which Node reads at start-up): V8's code
 * for the modules the driver loads — some 330 for the process driver, TypeScript stripped and
 * compiled on every start without it — kept from one start of the driver to the next in this
 * workspace: a panel restart, an `rtt apply` that starts it again, a respawn after a crash.
 *
 * One folder per driver launch, under `.rtt/cache/compile/`, the driver's own to write (a
 * writable mount, as its sockets are). Code read from it runs in that driver only: a driver
 * that wrote a bad entry spoils nothing but its own next start — never the CLI's cache (the
 * user's), another driver's, or another workspace's. Node checks each entry against its
 * source's hash, so a stale one is compiled again.
 */
import { join } from "node:path";
import type { DriverLaunch } from "@rtt/connector-sdk";
import { canonicalHash } from "@rtt/core";
import type { WorkspacePaths } from "../workspace/workspace.ts";

/**
 * `launch` with its compile cache, and that folder, which a sandbox makes and lets the driver
 * write (driverAccess); a driver that is not a Node script (another runtime) gets neither.
 */
export function withCompileCache(
  paths: WorkspacePaths,
  launch: DriverLaunch,
): { readonly launch: DriverLaunch; readonly dir: string | undefined } {
  if (launch.command !== process.execPath) return { launch, dir: undefined };
  const key = canonicalHash([launch.command, ...(launch.args ?? [])]).slice(0, 16);
  const dir = join(paths.cache, "compile", key);
  return { launch: { ...launch, env: { ...launch.env, NODE_COMPILE_CACHE: dir } }, dir };
}
