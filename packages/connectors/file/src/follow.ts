/**
 * Follow-reading a file like `tail -F`: yields bytes as they are appended, and keeps going
 * when the file is truncated (reads again from the start) or rotated (finishes the old file to
 * its end, then opens the new one from its start). A file that does not exist yet is waited for.
 *
 * Changes are noticed by `fs.watch` when the OS delivers events and by polling every
 * `pollMs` regardless (watch events are lost across rotation and on some filesystems).
 */
import { closeSync, type FSWatcher, fstatSync, openSync, readSync, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import { RttError } from "@rtt/core";

export interface FollowOptions {
  /** Start at the end of the file (like `tail -F -n0`) instead of its beginning. */
  readonly fromEnd?: boolean;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Largest chunk yielded at once. */
  readonly chunkBytes?: number;
  /**
   * How the file is opened for reading, each time (at first and after a rotation): the file
   * driver's confined open (ADR 0022). Default: `openSync(path, "r")`. An `RttError` it throws
   * ends the follow; any other error counts as "not there yet".
   */
  readonly open?: (path: string) => number;
}

interface Open {
  readonly fd: number;
  readonly ino: number;
  position: number;
}

const openForReading = (path: string): number => openSync(path, "r");

function tryOpen(path: string, open: (path: string) => number): Open | undefined {
  try {
    const fd = open(path);
    return { fd, ino: fstatSync(fd).ino, position: 0 };
  } catch (error) {
    if (error instanceof RttError) throw error;
    return undefined;
  }
}

function inodeAt(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

export async function* follow(
  path: string,
  options: FollowOptions = {},
): AsyncGenerator<Uint8Array> {
  const pollMs = options.pollMs ?? 100;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const signal = options.signal;
  const open = options.open ?? openForReading;
  const stopped = () => signal?.aborted === true;
  let wake: (() => void) | undefined;
  const nudge = () => wake?.();
  let watcher: FSWatcher | undefined;
  try {
    // Watch the folder, not the file: the file itself may not exist yet or be replaced.
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(path)) nudge();
    });
  } catch {
    watcher = undefined;
  }
  signal?.addEventListener("abort", nudge, { once: true });
  let current: Open | undefined;
  const buffer = Buffer.allocUnsafe(chunkBytes);
  try {
    current = tryOpen(path, open);
    if (current !== undefined && options.fromEnd === true)
      current.position = fstatSync(current.fd).size;
    while (!stopped()) {
      if (current === undefined) current = tryOpen(path, open);
      if (current !== undefined) {
        const size = fstatSync(current.fd).size;
        if (size < current.position) current.position = 0; // truncated: start over
        while (current.position < fstatSync(current.fd).size) {
          const n = readSync(current.fd, buffer, 0, chunkBytes, current.position);
          if (n === 0) break;
          current.position += n;
          yield Uint8Array.prototype.slice.call(buffer, 0, n);
          if (stopped()) return;
        }
        const ino = inodeAt(path);
        if (ino !== current.ino) {
          // Rotated (or removed): the old file has been read to its end; switch to the new one.
          closeSync(current.fd);
          current = undefined;
          current = tryOpen(path, open);
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    signal?.removeEventListener("abort", nudge);
    if (current !== undefined) closeSync(current.fd);
  }
}
