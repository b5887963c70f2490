/**
 * The panel's write-ahead log (`.rtt/wal/`): append-only segment files `wal-<first seq, 16 hex>.log`
 * of framed records (`record.ts`), one `write` per record, fsync at the points a later replay must
 * be able to rely on:
 *
 * - `commit`: the transaction's post-graph is the topology replay returns; it must be on disk
 *   before the caller reports the apply done (and before it acts on "committed"). A hot swap's
 *   commit (`rtt qc`, failover) is only written (`{ sync: false }`): the group commit
 *   (`group-commit.ts`) fsyncs it within a few ms, shared with every write since, and the drivers
 *   are the truth a restart reconciles a lost tail with (docs/adr/0030-durability-contract.md).
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
 * trusted (`salvage.ts` keeps what precedes it, for `rtt panel start --salvage`).
 *
 * A write or fsync that fails is cut back (`segment-writer.ts`), so nothing is ever appended
 * after a torn record. An fsync failure may lose every record since the last good one, so the
 * sequence goes back to there and the transactions open at that moment are cancelled: their
 * callers roll back, and `abort` of a cancelled transaction writes nothing.
 */
import { mkdirSync, readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { fsyncPath, refuseLinks } from "@rtt/connector-sdk";
import { errorMessage, type JsonValue, RttError } from "@rtt/core";
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
import { NODE_IO, SegmentWriter, type WalIo } from "./segment-writer.ts";
import { readWal, SEGMENT_RE, segmentName, type TailCut } from "./segments.ts";

export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;

export interface WalOptions {
  /** The WAL folder, `.rtt/wal`. Created when missing. */
  readonly dir: string;
  /** Start a new segment once the current one reaches this many bytes. */
  readonly segmentBytes?: number;
  /** The lock file; default `<dir>/LOCK` (one WAL, hence one lock, per `.rtt/`). */
  readonly lockPath?: string;
  /** Write an `abort` for every transaction replay found partial (default true). */
  readonly discardPartial?: boolean;
  /** The file operations that can fail (tests inject a failing disk); default node:fs. */
  readonly io?: WalIo;
}

export interface OpenReport {
  readonly replay: ReplayState;
  /** Bytes cut from the end of the log (a torn tail). */
  readonly truncatedBytes: number;
  readonly tail: TailCut | undefined;
  /** Transactions found partial and closed with an `abort` record. */
  readonly discarded: readonly string[];
  /** The dead process whose stale lock was taken over. */
  readonly tookOverLockFrom: LockHolder | undefined;
}

export class Wal {
  readonly dir: string;
  #report: OpenReport;
  #lock: DirLock;
  #io: WalIo;
  #writer: SegmentWriter;
  #segmentBytes: number;
  #nextSeq: number;
  /** The seq the next record got as of the last good fsync: where a failed fsync goes back to. */
  #syncedSeq: number;
  #open = new Set<string>();
  /** Transactions a failed fsync cancelled, with the failure: their abort writes nothing. */
  #cancelled = new Map<string, RttError>();
  #commits: CommitPoint[];
  #closed = false;

  private constructor(
    dir: string,
    lock: DirLock,
    report: OpenReport,
    options: { segmentBytes: number; io: WalIo },
  ) {
    this.dir = dir;
    this.#lock = lock;
    this.#report = report;
    this.#io = options.io;
    this.#segmentBytes = options.segmentBytes;
    this.#commits = [...report.replay.commits];
    this.#nextSeq = report.replay.lastSeq + 1;
    this.#syncedSeq = this.#nextSeq;
    const segments = readdirSync(dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort();
    const last = segments.at(-1);
    this.#writer =
      last === undefined
        ? this.#createSegment(this.#nextSeq)
        : new SegmentWriter(join(dir, last), this.#io);
  }

  /** Locks the folder, replays, cuts a torn tail, and opens the last segment for appending. */
  static open(options: WalOptions): Wal {
    const dir = options.dir;
    refuseLinks(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = acquireDirLock(options.lockPath ?? join(dir, "LOCK"));
    try {
      // Damage before the tail throws RTT_ERR_WAL_CORRUPT (`salvage.ts` is the way out).
      const read = readWal(dir);
      const tail = read.tail;
      if (tail !== undefined) {
        // A crash (or a failed write that could not be cut back) tore the last record.
        const path = join(dir, tail.segment);
        truncateSync(path, tail.offset);
        fsyncPath(path);
      }
      const replay = replayRecords(read.records);
      const report: OpenReport = {
        replay,
        truncatedBytes: tail?.bytes ?? 0,
        tail,
        discarded: [],
        tookOverLockFrom: lock.tookOverFrom,
      };
      const wal = new Wal(dir, lock, report, {
        segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
        io: options.io ?? NODE_IO,
      });
      if (options.discardPartial !== false && replay.partial.length > 0) wal.#discard(replay);
      return wal;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Closes the partial transactions with an `abort` each. On a full disk that fails (cut back):
   * the WAL opens all the same, and the next open finds them partial again.
   */
  #discard(replay: ReplayState): void {
    try {
      for (const p of replay.partial) this.#append({ type: "abort", seq: 0, txid: p.txid });
      this.#sync();
      this.#report = { ...this.#report, discarded: replay.partial.map((p) => p.txid) };
    } catch (error) {
      if (!(error instanceof RttError) || error.code !== "RTT_ERR_WAL_UNWRITABLE") throw error;
    }
  }

  /** The reason every commit is refused, once a failed write could not be cut back. */
  get stopped(): RttError | undefined {
    return this.#writer.stopped;
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

  /**
   * Opens a transaction journaling `pre`, what it starts from (an apply's whole pre-graph; a
   * move's route and base commit — replay reads only commits, see reconcile/graph.ts moveJson);
   * returns its id (`tx-<seq>` unless given).
   */
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

  /** Whether a record was written since the last fsync. */
  get unsynced(): boolean {
    return !this.#closed && this.#writer.unsynced;
  }

  /**
   * `flush` with the fsync on the thread pool (the group commit): records go on being appended
   * meanwhile; those appended when it began are durable once it resolves. A failure loses what
   * was written since the last good fsync, as `flush`'s does — the commits among it too.
   */
  async syncOffLoop(): Promise<void> {
    if (this.#closed || !this.#writer.unsynced) return;
    const writer = this.#writer;
    const next = this.#nextSeq;
    try {
      await writer.syncOffLoop();
    } catch (error) {
      // A rotation meanwhile fsynced this segment whole: a failure is only the current one's.
      if (writer === this.#writer) this.#lost(error);
      throw error;
    }
    if (writer === this.#writer && next > this.#syncedSeq) this.#syncedSeq = next;
  }

  /**
   * Commits with the post-graph and the audit ledger's head as of the commit (its anchor,
   * audit/anchor.ts); returns once the record is on disk — or, with `sync: false`, once it is
   * written (`syncOffLoop` or any later fsync makes it durable). `postText`: `JSON.stringify(post)`
   * when the caller has it for less (a swap's, reconcile/graph-text.ts).
   */
  commit(
    txid: string,
    post: JsonValue,
    audit?: AuditAnchor,
    options: { readonly sync?: boolean; readonly postText?: string } = {},
  ): number {
    this.#mustBeOpen(txid);
    const anchored = audit === undefined ? {} : { audit: { seq: audit.seq, hash: audit.hash } };
    const seq = this.#append({ type: "commit", seq: 0, txid, post, ...anchored }, options.postText);
    if (options.sync !== false) this.#sync();
    this.#open.delete(txid);
    this.#commits.push({ seq, txid, post, ...anchored });
    return seq;
  }

  /**
   * Closes the transaction as discarded. It is closed even if the `abort` cannot be written (a
   * lost abort replays as partial: discarded all the same); a cancelled one writes nothing.
   */
  abort(txid: string): number | undefined {
    if (this.#cancelled.delete(txid)) return undefined;
    this.#mustBeOpen(txid);
    this.#open.delete(txid);
    return this.#append({ type: "abort", seq: 0, txid });
  }

  /**
   * The resource is gone (closed, unlinked, reaped): it leaves the ledger. Best effort on a disk
   * that fails (undefined): a lost release only makes a restarted panel reap a resource that is
   * gone, and reaping is idempotent — so a full disk does not stop a panel from stopping.
   */
  released(kind: ResourceKind, name: string): number | undefined {
    try {
      return this.#append({ type: "resource-released", seq: 0, kind, name });
    } catch (error) {
      if (error instanceof RttError && error.code === "RTT_ERR_WAL_UNWRITABLE") return undefined;
      throw error;
    }
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
    fsyncPath(this.dir);
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
      this.#writer.close();
    } finally {
      this.#lock.release();
    }
  }

  #mustBeOpen(txid: string): void {
    const cancelled = this.#cancelled.get(txid);
    if (cancelled !== undefined) throw cancelled;
    if (!this.#open.has(txid))
      throw new RttError("RTT_ERR_WAL_STATE", `transaction ${txid} is not open`);
  }

  #append(record: WalRecord, postText?: string): number {
    if (this.#closed) throw new RttError("RTT_ERR_WAL_STATE", "the WAL is closed");
    const seq = this.#nextSeq;
    if (this.#writer.size >= this.#segmentBytes) this.#rotate(seq);
    // One write per record: a crash tears at most this record, which replay cuts away; a failed
    // write is cut back at once (the seq is not used).
    this.#writer.append(encodeRecord({ ...record, seq }, postText));
    this.#nextSeq = seq + 1;
    return seq;
  }

  #sync(): void {
    try {
      this.#writer.sync();
    } catch (error) {
      this.#lost(error);
      throw error;
    }
    this.#syncedSeq = this.#nextSeq;
  }

  /**
   * An fsync failed and the segment was cut back to the last good one: the records since are
   * gone, and so are the transactions open now (their begin or ops may be among them) and the
   * commits only written (a hot swap's: the drivers keep what it did, see the top).
   */
  #lost(error: unknown): void {
    this.#nextSeq = this.#syncedSeq;
    if (error instanceof RttError) for (const txid of this.#open) this.#cancelled.set(txid, error);
    this.#open.clear();
    this.#commits = this.#commits.filter((c) => c.seq < this.#syncedSeq);
  }

  #rotate(firstSeq: number): void {
    // The old segment is made durable first, so only the last segment can ever have a torn tail.
    this.#sync();
    const old = this.#writer;
    this.#writer = this.#createSegment(firstSeq);
    try {
      old.close();
    } catch {
      // Synced just above: a failing close loses nothing.
    }
  }

  /** A new segment, its folder entry made durable; RTT_ERR_WAL_UNWRITABLE when it cannot be. */
  #createSegment(firstSeq: number): SegmentWriter {
    const path = join(this.dir, segmentName(firstSeq));
    let writer: SegmentWriter | undefined;
    try {
      writer = new SegmentWriter(path, this.#io);
      fsyncPath(this.dir);
      return writer;
    } catch (error) {
      // An empty segment left behind is harmless: it reads as no records, and is reused.
      try {
        writer?.close();
      } catch {
        // Nothing was written to it.
      }
      throw new RttError(
        "RTT_ERR_WAL_UNWRITABLE",
        `cannot start the WAL segment ${path}: ${errorMessage(error)}`,
        { hint: "free space (and inodes) on the disk holding .rtt/ and try again", cause: error },
      );
    }
  }
}
