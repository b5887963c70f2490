import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { refuseLinks } from "../state-files.ts";

/**
 * Writes a file so that readers see the old content or the new, never a torn one: write a
 * temp file beside it, fsync, rename over the target (atomic within one filesystem), then
 * fsync the folder so the rename itself survives a crash. Under `.rtt/`, a link on the way
 * (or the file itself a link) is refused first: the rename would not follow a link, but the
 * temp file and the folders made for it would (state-files.ts).
 *
 * `durable: false` leaves out both fsyncs: still whole or not at all for every reader, but a
 * kernel crash may lose the write. For what a driver keeps (route journals, program records),
 * which only has to outlive the driver, not the machine — and because Node's permission model
 * (a driver under the `node` sandbox level) refuses fsync outright.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode?: number,
  durable = true,
): void {
  refuseLinks(path);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  // node:crypto on the first write, not at import: readers of state files never write one.
  const { randomBytes } = process.getBuiltinModule("node:crypto");
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", mode ?? 0o644);
  try {
    // A mode asked for is the file's exactly (a rewritten file keeps the one it had); without
    // one, the umask narrows 0644 as it would for any new file. By path, not fchmod: Node's
    // permission model (a driver under the `node` sandbox) refuses fchmod.
    if (mode !== undefined && (fstatSync(fd).mode & 0o7777) !== mode) chmodSync(temp, mode);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    if (durable) fsyncSync(fd);
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
  if (durable) fsyncPath(dir);
}

/** fsync of a file, or of a folder so that a rename in it survives a crash. */
export function fsyncPath(path: string): void {
  // Directories cannot be opened for fsync on Windows; there the rename is as durable as it gets.
  if (process.platform === "win32") return;
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
