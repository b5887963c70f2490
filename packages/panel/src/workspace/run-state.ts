/**
 * `.rtt/run` is private (issue 15 finding 5, ADR 0022): route journals, delivered marks and
 * program records are the workspace owner's alone. Drivers create what they write there 0600
 * in 0700 folders; a panel start tightens what an older RTT (or a looser umask) left behind,
 * so a workspace that ran before this rule does not keep its events readable by others.
 */
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, privateDir } from "@rtt/connector-sdk";

/**
 * Makes `run` a private folder and tightens everything below it: folders to 0700, files (and
 * FIFOs) to 0600. Symlinks are left alone: chmod would change what they point at. Returns how
 * many entries it tightened.
 */
export function tightenRunState(run: string): number {
  privateDir(run);
  let tightened = 0;
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // Gone meanwhile (a route deleted): nothing to tighten.
    }
    for (const name of names) {
      const path = join(dir, name);
      let stat: ReturnType<typeof lstatSync>;
      try {
        stat = lstatSync(path);
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) continue;
      const mode = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
      if ((stat.mode & 0o777 & ~mode) !== 0) {
        chmodSync(path, mode);
        tightened++;
      }
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(run);
  return tightened;
}
