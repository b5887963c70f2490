import { mkdirSync, renameSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { refuseLinks } from "@rtt/connector-sdk/state-files.ts";

// One atomic write for the panel and the drivers (route journals, program records).
export { fsyncPath, writeFileAtomic } from "@rtt/connector-sdk/files/atomic-write.ts";

/**
 * writeFileAtomic with its fsyncs off the event loop (the thread pool), for a writer that must
 * not stall its process for them. The rename stays synchronous and asks `stillWanted` first, in
 * the same turn: a newer write of the same file (this one's or writeFileAtomic's) that came
 * while the temp file was synced is never replaced by this older one. Resolves whether it
 * replaced the file.
 */
export async function writeFileAtomicOffLoop(
  path: string,
  data: string,
  stillWanted: () => boolean,
): Promise<boolean> {
  refuseLinks(path);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // node:crypto on the first write, not at import: readers of state files never write one.
  const { randomBytes } = process.getBuiltinModule("node:crypto");
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const file = await open(temp, "wx", 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    if (!stillWanted()) {
      rmSync(temp, { force: true });
      return false;
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  if (process.platform !== "win32") {
    const folder = await open(dir, "r");
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
  return true;
}
