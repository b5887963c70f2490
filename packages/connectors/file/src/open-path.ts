/**
 * Every open of the file driver, through the SDK's `openConfined` (ADR 0022): the path must
 * lead inside an allowed prefix and no symbolic link may be met below it when it is opened, so
 * a link swapped in after the check is refused rather than followed. What is opened stays open
 * (the append descriptor across writes, the FIFO ends for the link's life); opening again
 * (following a rotated file, a FIFO writer waiting for a reader) goes through here again.
 */
import { closeSync, constants, fstatSync, write } from "node:fs";
import { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { openConfined } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";

const { O_APPEND, O_CREAT, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } = constants;
const writeFd = promisify(write);

/** A file symbol's path and where it may lead: the workspace, then security.allow_paths. */
export interface PathTarget {
  readonly saddr: string;
  readonly path: string;
  readonly prefixes: readonly string[];
}

type Expected = "file" | "fifo";

/** `fd` if it is of the `expected` type; else closed, and refused with RTT_ERR_IO. */
function expectType(fd: number, expected: Expected, target: PathTarget): number {
  const stats = fstatSync(fd);
  if (expected === "file" ? stats.isFile() : stats.isFIFO()) return fd;
  closeSync(fd);
  throw new RttError(
    "RTT_ERR_IO",
    `${target.saddr}: path ${JSON.stringify(target.path)} is not a ${expected === "file" ? "regular file" : "FIFO"}`,
    { hint: "give the route a kind parameter that matches what is there (file, fifo or socket)" },
  );
}

// Regular files are opened O_NONBLOCK, which changes nothing for them, so that a FIFO or a
// device put in a file's place cannot block the driver in open(); expectType refuses it then.

/** A regular file for appending, created if missing. */
export function openAppend(target: PathTarget): number {
  const flags = O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK;
  return expectType(
    openConfined(target.saddr, target.path, target.prefixes, flags).fd,
    "file",
    target,
  );
}

/** A regular file for reading (following): ENOENT while it does not exist yet. */
export function openRead(target: PathTarget): number {
  const flags = O_RDONLY | O_NONBLOCK;
  return expectType(
    openConfined(target.saddr, target.path, target.prefixes, flags).fd,
    "file",
    target,
  );
}

/** Appends all of `bytes` at `fd` (O_APPEND: each write lands at the end). */
export async function appendAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await writeFd(fd, bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}

/**
 * A FIFO's read end. Opened read-write (Linux and macOS allow it on a FIFO): the open does not
 * wait for a writer, and the reader never sees end-of-file between writers.
 */
export function openFifoReader(target: PathTarget): Socket {
  const { fd } = openConfined(target.saddr, target.path, target.prefixes, O_RDWR | O_NONBLOCK);
  return new Socket({ fd: expectType(fd, "fifo", target), readable: true, writable: false });
}

/**
 * A FIFO's write end, once it has a reader: a non-blocking open says ENXIO until then, so it is
 * tried again every `pollMs` (each time through the checks) until `signal` aborts.
 */
export async function openFifoWriter(
  target: PathTarget,
  signal: AbortSignal,
  pollMs = 100,
): Promise<Socket> {
  for (;;) {
    signal.throwIfAborted();
    try {
      const flags = O_WRONLY | O_NONBLOCK;
      const { fd } = openConfined(target.saddr, target.path, target.prefixes, flags);
      return new Socket({ fd: expectType(fd, "fifo", target), readable: false, writable: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENXIO") throw error;
    }
    await sleep(pollMs, undefined, { signal });
  }
}
