/**
 * Appending to one WAL segment on a disk that can fail (issue 15, finding 6: a full disk tore a
 * commit, later commits were appended after the torn bytes, and the next open refused the log).
 *
 * - A `write` that fails (ENOSPC, EIO, a short write followed by an error) leaves part of a
 *   record at the end: the segment is cut back to where that record began.
 * - An `fsync` that fails may have dropped any page written since the last good fsync (Linux
 *   marks them clean all the same), so the segment is cut back to its size as of that fsync.
 * - The cut is `ftruncate` + `fsync`. If that fails too, the writer is *stopped*: it refuses
 *   every later write with the reason, so nothing is ever appended after a torn record. Only a
 *   restart (which cuts a torn tail on open, or `rtt panel start --salvage`) clears it.
 *
 * Every failure is RTT_ERR_WAL_UNWRITABLE (gRPC UNAVAILABLE), naming the file and the cause.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  writeSync,
} from "node:fs";
import { openStateFile } from "@rtt/connector-sdk";
import { errorMessage, RttError } from "@rtt/core";

/** The file operations that can fail on a bad disk; a test replaces them to inject failures. */
export interface WalIo {
  writeSync(fd: number, bytes: Buffer, offset: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  /** fsync on the thread pool (the group commit); without it, `fsyncSync` is used. */
  fsync?(fd: number, done: (error: Error | null) => void): void;
}

export const NODE_IO: WalIo = {
  writeSync: (fd, bytes, offset) => writeSync(fd, bytes, offset),
  fsyncSync,
  ftruncateSync,
  fsync,
};

/** `io.fsync` on the thread pool when it has one, else `io.fsyncSync`. */
export function fsyncOffLoop(io: WalIo, fd: number): Promise<void> {
  const offLoop = io.fsync;
  if (offLoop === undefined) return Promise.resolve().then(() => io.fsyncSync(fd));
  return new Promise((resolve, reject) =>
    offLoop(fd, (error) => (error === null ? resolve() : reject(error))),
  );
}

const FREE_SPACE_HINT = "free space on the disk holding .rtt/ and try again";

export class SegmentWriter {
  readonly path: string;
  readonly #io: WalIo;
  readonly #fd: number;
  #size: number;
  /** The size as of the last fsync that succeeded: everything before it is on disk. */
  #synced: number;
  #stopped: RttError | undefined;
  #closed = false;
  /** Counts cut backs: an fsync under way across one made nothing it began with durable. */
  #cuts = 0;

  /** Opens (creating) `path` for appending; its current size counts as synced. */
  constructor(path: string, io: WalIo = NODE_IO) {
    this.path = path;
    this.#io = io;
    // Never through a link (ADR 0021).
    this.#fd = openStateFile(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
      0o600,
    );
    this.#size = fstatSync(this.#fd).size;
    this.#synced = this.#size;
  }

  get size(): number {
    return this.#size;
  }

  /** The reason every write is refused, once a cut back failed. */
  get stopped(): RttError | undefined {
    return this.#stopped;
  }

  /** Appends `bytes` whole, or cuts back to the size before them and throws. */
  append(bytes: Buffer): void {
    this.#mustBeWritable();
    const before = this.#size;
    let done = 0;
    try {
      while (done < bytes.length) done += this.#io.writeSync(this.#fd, bytes, done);
    } catch (error) {
      throw this.#failed("write", error, before);
    }
    this.#size += bytes.length;
  }

  /** Makes everything appended durable, or cuts back to the last durable size and throws. */
  sync(): void {
    this.#mustBeWritable();
    try {
      this.#io.fsyncSync(this.#fd);
    } catch (error) {
      throw this.#failed("fsync", error, this.#synced);
    }
    this.#synced = this.#size;
  }

  /** Whether something appended is not yet made durable. */
  get unsynced(): boolean {
    return this.#size > this.#synced;
  }

  /**
   * `sync` with the fsync on the thread pool (the group commit, group-commit.ts): appends go on
   * meanwhile, and what was appended when it began is durable once it resolves. A writer closed
   * meanwhile was fsynced by its close.
   */
  async syncOffLoop(): Promise<void> {
    this.#mustBeWritable();
    const size = this.#size;
    const cuts = this.#cuts;
    if (size === this.#synced) return;
    try {
      await fsyncOffLoop(this.#io, this.#fd);
    } catch (error) {
      if (this.#closed || this.#stopped !== undefined) return;
      throw this.#failed("fsync", error, this.#synced);
    }
    if (cuts === this.#cuts && size > this.#synced) this.#synced = size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#stopped === undefined) this.#io.fsyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
    }
  }

  #mustBeWritable(): void {
    if (this.#stopped !== undefined) throw this.#stopped;
    if (this.#closed) throw new RttError("RTT_ERR_WAL_STATE", `${this.path} is closed`);
  }

  /** Cuts back to `to` after `op` failed; the error to throw (the writer stopped if the cut failed). */
  #failed(op: string, error: unknown, to: number): RttError {
    const failure = cutBack({ path: this.path, fd: this.#fd, io: this.#io }, op, error, to);
    this.#cuts++;
    if (isWriterStopped(failure)) this.#stopped = failure;
    else {
      this.#size = to;
      this.#synced = Math.min(this.#synced, to);
    }
    return failure;
  }
}

/**
 * The failures of a cut back: the file keeps a torn record, so its writer must write no more.
 * (A set, not a subclass: RttError's `instanceof` matches every RttError by a marker.)
 */
const stoppedErrors = new WeakSet<RttError>();

export function isWriterStopped(error: unknown): error is RttError {
  return error instanceof RttError && stoppedErrors.has(error);
}

/**
 * After `op` on the file failed with `error`: truncates it to `to` (the end of its last good
 * record) and fsyncs. Returns the error to throw: RTT_ERR_WAL_UNWRITABLE, one `isWriterStopped` when
 * the cut failed too. Also used by the audit ledger (`audit/ledger-file.ts`).
 */
export function cutBack(
  file: { readonly path: string; readonly fd: number; readonly io: WalIo },
  op: string,
  error: unknown,
  to: number,
): RttError {
  const cause = errorMessage(error);
  try {
    file.io.ftruncateSync(file.fd, to);
    file.io.fsyncSync(file.fd);
  } catch (cutError) {
    const stopped = new RttError(
      "RTT_ERR_WAL_UNWRITABLE",
      `${file.path}: ${op} failed (${cause}) and cutting the torn record back to byte ${to} failed too (${errorMessage(cutError)}); the panel refuses every commit until it restarts`,
      {
        hint: "free space on the disk holding .rtt/, then `rtt panel stop` and `rtt panel start` (it cuts the torn tail; `--salvage` if it reports damage)",
        cause: error,
      },
    );
    stoppedErrors.add(stopped);
    return stopped;
  }
  return new RttError(
    "RTT_ERR_WAL_UNWRITABLE",
    `${file.path}: ${op} failed (${cause}); cut back to the last good record (byte ${to}), nothing was recorded`,
    { hint: FREE_SPACE_HINT, cause: error },
  );
}
