/**
 * The panel's write-ahead log (`.rtt/wal/`): append-only segment files `wal-<first seq, 16 hex>.log`
 * of framed records (`record.ts`), one `write` per record, fsync at the points a later replay must
 * be able to rely on:
 *
 * - `commit`: the transaction's post-graph is the topology replay returns; it must be on disk
 *   before the caller reports the apply done (and before it acts on "committed").
 * - resource intents (`op` with a resource): the ledger promises every segment, socket, pid and
 *   lock is recorded *before* it is created; if the record could vanish in a power loss while the
 *   resource survives, the resource would leak. So the intent is fsynced before returning.
 * - not `begin`: a begin alone has no effect outside the log. If it is lost, the transaction is
 *   simply absent, which replays the same as "partial, discarded". Its bytes reach the disk with
 *   the next fsync of the same file (a resource intent or the commit), which is exactly when they
 *   start to matter. Saves one fsync per transaction.
 * - not `abort` nor `resource-released`: losing an abort replays as partial — the same outcome,
 *   discarded; losing a release makes the restarted panel reap an already-gone resource, and
 *   reaping is idempotent.
 *
 * Opening takes the `.rtt/` lock (`lock.ts`), reads every segment in order (`segments.ts`), cuts a
 * torn tail away (reported in bytes) and refuses damage in the middle: records after it are not
 * trusted.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { openStateFile, refuseLinks } from "@rtt/connector-sdk";
import { type JsonValue, RttError } from "@rtt/core";
import { acquireDirLock, type DirLock, type LockHolder } from "./lock.ts";
import {
  type AuditAnchor,
  encodeRecord,
  type ResourceIntent,
  type ResourceKind,
  type WalAction,
  type WalRecord,
} from "./record.ts";
import { type CommitPoint, type ReplayState, replayRecords, stateChanges } from "./replay.ts";
import { type ReadOptions, readWal, SEGMENT_RE, segmentName, type TailCut } from "./segments.ts";

export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
/** How segments are opened for writing: appended to, made if absent, never through a link. */
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;

export interface WalOptions extends ReadOptions {
  /** The WAL folder, `.rtt/wal`. Created when missing. */
  readonly dir: string;
  /** Start a new segment once the current one reaches this many bytes. */
  readonly segmentBytes?: number;
  /** The lock file; default `<dir>/LOCK` (one WAL, hence one lock, per `.rtt/`). */
  readonly lockPath?: string;
  /** Write an `abort` for every transaction replay found partial (default true). */
  readonly discardPartial?: boolean;
}

export interface OpenReport {
  readonly replay: ReplayState;
  /** Bytes cut from the end of the log (torn or damaged tail, plus salvaged damage). */
  readonly truncatedBytes: number;
  readonly tail: TailCut | undefined;
  readonly salvaged: readonly TailCut[];
  /** Transactions found partial and closed with an `abort` record. */
  readonly discarded: readonly string[];
  /** The dead process whose stale lock was taken over. */
  readonly tookOverLockFrom: LockHolder | undefined;
}

export class Wal {
  readonly dir: string;
  #report: OpenReport;
  #lock: DirLock;
  #fd: number;
  #segmentBytes: number;
  #size: number;
  #nextSeq: number;
  #open = new Set<string>();
  #commits: CommitPoint[];
  #closed = false;

  private constructor(dir: string, lock: DirLock, report: OpenReport, segmentBytes: number) {
    this.dir = dir;
    this.#lock = lock;
    this.#report = report;
    this.#segmentBytes = segmentBytes;
    this.#commits = [...report.replay.commits];
    this.#nextSeq = report.replay.lastSeq + 1;
    const segments = readdirSync(dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort();
    const last = segments.at(-1);
    if (last === undefined) {
      this.#fd = this.#createSegment(this.#nextSeq);
      this.#size = 0;
    } else {
      this.#fd = openStateFile(join(dir, last), APPEND, 0o600);
      this.#size = fstatSync(this.#fd).size;
    }
  }

  /** Locks the folder, replays, cuts a torn tail, and opens the last segment for appending. */
  static open(options: WalOptions): Wal {
    const dir = options.dir;
    refuseLinks(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = acquireDirLock(options.lockPath ?? join(dir, "LOCK"));
    try {
      const read = readWal(dir, options);
      let truncatedBytes = 0;
      for (const cut of [...(read.tail ? [read.tail] : []), ...read.salvaged]) {
        const path = join(dir, cut.segment);
        if (cut.offset === 0 && cut.bytes < 0) {
          rmSync(path, { force: true });
          continue;
        }
        truncatedBytes += cut.bytes;
        truncateSync(path, cut.offset);
        syncPath(path);
      }
      if (read.salvaged.length > 0) syncPath(dir);
      const replay = replayRecords(read.records);
      const report: OpenReport = {
        replay,
        truncatedBytes,
        tail: read.tail,
        salvaged: read.salvaged,
        discarded: [],
        tookOverLockFrom: lock.tookOverFrom,
      };
      const wal = new Wal(dir, lock, report, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
      if (options.discardPartial !== false && replay.partial.length > 0) {
        for (const p of replay.partial) wal.#append({ type: "abort", seq: 0, txid: p.txid });
        wal.#sync();
        wal.#report = { ...report, discarded: replay.partial.map((p) => p.txid) };
      }
      return wal;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** What opening found: the replay, the cut tail, the discarded transactions, a taken-over lock. */
  get report(): OpenReport {
    return this.#report;
  }

  /** The sequence number the next record will get. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** The last committed topology as of now. */
  get committed(): CommitPoint | undefined {
    return this.#commits.at(-1);
  }

  /** Every commit in order, as `rtt rollback` lists them. */
  get commits(): readonly CommitPoint[] {
    return this.#commits;
  }

  /** Opens a transaction journaling the pre-graph; returns its id (`tx-<seq>` unless given). */
  begin(pre: JsonValue, txid?: string): string {
    const seq = this.#nextSeq;
    const id = txid ?? `tx-${seq}`;
    if (this.#open.has(id))
      throw new RttError("RTT_ERR_WAL_STATE", `transaction ${id} is already open`);
    this.#append({ type: "begin", seq, txid: id, pre });
    this.#open.add(id);
    return id;
  }

  /**
   * Journals an action of an open transaction; a resource intent is fsynced (see above) unless
   * `sync` is false — for a caller that records many and calls `flush()` before it relies on them.
   */
  op(txid: string, action: WalAction, sync = action.type === "resource"): number {
    this.#mustBeOpen(txid);
    const seq = this.#append({ type: "op", seq: 0, txid, action });
    if (sync) this.#sync();
    return seq;
  }

  /** Shorthand: record a resource before creating it. */
  recordResource(txid: string, resource: ResourceIntent, options: { sync?: boolean } = {}): number {
    return this.op(txid, { type: "resource", resource }, options.sync ?? true);
  }

  /** Makes everything appended so far durable. */
  flush(): void {
    this.#sync();
  }

  /**
   * Commits with the post-graph and the audit ledger's head as of the commit (its anchor,
   * audit/anchor.ts); returns once the record is on disk.
   */
  commit(txid: string, post: JsonValue, audit?: AuditAnchor): number {
    this.#mustBeOpen(txid);
    const anchored = audit === undefined ? {} : { audit: { seq: audit.seq, hash: audit.hash } };
    const seq = this.#append({ type: "commit", seq: 0, txid, post, ...anchored });
    this.#sync();
    this.#open.delete(txid);
    this.#commits.push({ seq, txid, post, ...anchored });
    return seq;
  }

  abort(txid: string): number {
    this.#mustBeOpen(txid);
    const seq = this.#append({ type: "abort", seq: 0, txid });
    this.#open.delete(txid);
    return seq;
  }

  /** The resource is gone (closed, unlinked, reaped): it leaves the ledger. */
  released(kind: ResourceKind, name: string): number {
    return this.#append({ type: "resource-released", seq: 0, kind, name });
  }

  /** Bytes in every segment: what compaction would reclaim most of. */
  get totalBytes(): number {
    return readdirSync(this.dir)
      .filter((n) => SEGMENT_RE.test(n))
      .reduce((sum, n) => sum + statSync(join(this.dir, n)).size, 0);
  }

  /**
   * Compaction: a new segment that starts with a checkpoint (the newest `keepCommits` commits
   * as rollback targets — with `stateKey`, only commits that changed that state count, see
   * `stateChanges` — then the newest commit, which is the state now; and the resource ledger), then
   * the older segments are deleted. Crash-safe at every point: until the checkpoint is on disk
   * the old segments are whole; after it, replay restarts from the checkpoint whatever older
   * segments are still there. Refused while a transaction is open.
   */
  compact(
    keepCommits = 20,
    stateKey?: (post: JsonValue) => string,
  ): { removedSegments: number; removedBytes: number } {
    if (this.#closed) throw new RttError("RTT_ERR_WAL_STATE", "the WAL is closed");
    if (this.#open.size > 0)
      throw new RttError("RTT_ERR_WAL_STATE", "cannot compact while a transaction is open", {
        hint: "compact between applies",
      });
    const seq = this.#nextSeq;
    // The new segment is named by `seq`; an empty current segment may already have that name.
    const before = readdirSync(this.dir)
      .filter((n) => SEGMENT_RE.test(n) && n !== segmentName(seq))
      .sort();
    const replay = replayRecords(readWal(this.dir).records);
    const targets = stateKey === undefined ? this.#commits : stateChanges(this.#commits, stateKey);
    const commits = targets.slice(-keepCommits);
    const newest = this.#commits.at(-1);
    if (newest !== undefined && commits.at(-1) !== newest) commits.push(newest);
    this.#rotate(seq);
    this.#append({
      type: "checkpoint",
      seq,
      commits,
      ledger: replay.ledger.map((e) => ({ ...e })),
    });
    this.#sync();
    let removedBytes = 0;
    for (const name of before) {
      const path = join(this.dir, name);
      removedBytes += statSync(path).size;
      rmSync(path, { force: true });
    }
    syncPath(this.dir);
    this.#commits = [...commits];
    return { removedSegments: before.length, removedBytes };
  }

  /** The committed topology as of commit `seq`, for `rtt rollback <seq>`. */
  rollbackTarget(seq: number): CommitPoint {
    const hit = this.#commits.find((c) => c.seq === seq);
    if (hit === undefined) {
      const known = this.#commits.map((c) => c.seq);
      throw new RttError("RTT_ERR_WAL_STATE", `no commit with seq ${seq} in the WAL`, {
        hint:
          known.length > 0
            ? `committed seqs: ${known.slice(-10).join(", ")}`
            : "nothing has been committed",
      });
    }
    return hit;
  }

  /** Flushes and closes the segment and releases the lock. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      fsyncSync(this.#fd);
      closeSync(this.#fd);
    } finally {
      this.#lock.release();
    }
  }

  #mustBeOpen(txid: string): void {
    if (!this.#open.has(txid))
      throw new RttError("RTT_ERR_WAL_STATE", `transaction ${txid} is not open`);
  }

  #append(record: WalRecord): number {
    if (this.#closed) throw new RttError("RTT_ERR_WAL_STATE", "the WAL is closed");
    const seq = this.#nextSeq;
    if (this.#size >= this.#segmentBytes) this.#rotate(seq);
    const bytes = encodeRecord({ ...record, seq });
    // One write per record: a crash tears at most this record, which replay cuts away.
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
    this.#size += bytes.length;
    this.#nextSeq = seq + 1;
    return seq;
  }

  #sync(): void {
    fsyncSync(this.#fd);
  }

  #rotate(firstSeq: number): void {
    // The old segment is made durable first, so only the last segment can ever have a torn tail.
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = this.#createSegment(firstSeq);
    this.#size = 0;
  }

  #createSegment(firstSeq: number): number {
    const fd = openStateFile(join(this.dir, segmentName(firstSeq)), APPEND, 0o600);
    syncPath(this.dir);
    return fd;
  }
}

function syncPath(path: string): void {
  if (process.platform === "win32") return;
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
