import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes a file so that readers see the old content or the new, never a torn one: write a
 * temp file beside it, fsync, rename over the target (atomic within one filesystem), then
 * fsync the folder so the rename itself survives a crash.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode?: number): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", mode ?? 0o644);
  try {
    // A mode asked for is the file's exactly (a rewritten file keeps the one it had); without
    // one, the umask narrows 0644 as it would for any new file.
    if (mode !== undefined) fchmodSync(fd, mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncDirectory(dir);
}

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
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
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

export function syncDirectory(dir: string): void {
  // Directories cannot be opened for fsync on Windows; there the rename is as durable as it gets.
  if (process.platform === "win32") return;
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
