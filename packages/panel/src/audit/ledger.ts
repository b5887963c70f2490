/**
 * The daemon's audit ledger (docs/design.md §Invariants: audit ledger): every bind, unbind, swap,
 * trip, heal and rollback with who, when, why and before → after, appended to the hash-chained
 * file `ledger-file.ts` writes (records: `record.ts`; verification: `verify.ts`).
 *
 * Since a head that lags is sound (see `ledger-file.ts`), `AuditLedger` writes it HEAD_DELAY_MS
 * after an append, off the path of the call that appended: a QuickConnect answers after the
 * record's fsync only (the head's write and two fsyncs in the same turn delayed the answer's
 * socket write by ~3 ms, bench:control), and a burst of appends writes one head. That write's
 * fsyncs run on the thread pool (they held the panel's event loop ~2.7 ms per QuickConnect).
 *
 * A hot swap's record is only written (`appendAll(entries, { sync: false })`): the group commit
 * (wal/group-commit.ts) fsyncs it off the loop within a few ms. Until then `head` — what a WAL
 * commit anchors, and what the head file says — stays at the newest record known durable, so
 * neither can ever name a record a power loss may take (docs/adr/0030-durability-contract.md).
 */
import { closeSync, constants, existsSync, statSync } from "node:fs";
import { openStateFile } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import { cutBack, fsyncOffLoop, isWriterStopped, NODE_IO } from "../wal/segment-writer.ts";
import { writeFileAtomic, writeFileAtomicOffLoop } from "../workspace/atomic-write.ts";
import { headContent } from "./head-signature.ts";
import {
  type AuditLedgerOptions,
  checkLedgerFile,
  headPath,
  readTail,
  writeRecords,
} from "./ledger-file.ts";
import type { AuditEntry, AuditHead, AuditRecord } from "./record.ts";
import type { LedgerVerdict } from "./verify.ts";

/** The types of this ledger's API, for its users (the daemon and the reconciler). */
export type { AuditAction, AuditEntry, AuditRecord } from "./record.ts";

/** How long after an append the head file is written (see the top of this file). */
const HEAD_DELAY_MS = 20;

/**
 * An audit ledger bound to one file, clock and default `who`, for its one writer (the daemon).
 * It remembers the newest record it wrote, so an append reads nothing back unless the file's
 * size says someone else wrote to it, and it writes the head file HEAD_DELAY_MS after an append
 * (a head that lags verifies; see the top of this file) or at `flushHead()`.
 */
export class AuditLedger {
  readonly file: string;
  readonly #options: AuditLedgerOptions;
  /** The newest record as of this ledger's last write, and the file's size after it. */
  #tail: { head: AuditHead; size: number } | undefined;
  #headDue: NodeJS.Timeout | undefined;
  /** Counts head writes begun: an off-loop one installs its file only if none began after it. */
  #headWrites = 0;
  /** The off-loop head write under way, if any. */
  #headWriting: Promise<void> | undefined;
  /** Set when a failed append could not be cut back: a torn line stays, nothing may follow it. */
  #stopped: RttError | undefined;
  /**
   * The newest durable record and the file's size after it, while records written since are not
   * fsynced yet; undefined when every record written is durable.
   */
  #durable: { head: AuditHead | undefined; size: number } | undefined;

  constructor(file: string, options: AuditLedgerOptions = {}) {
    this.file = file;
    this.#options = options;
  }

  /**
   * The newest durable record's seq and hash (what a WAL commit anchors, what the head file
   * says); undefined when unknown.
   */
  get head(): AuditHead | undefined {
    if (this.#durable !== undefined) return this.#durable.head;
    if (this.#tail !== undefined) return this.#tail.head;
    try {
      return readTail(this.file);
    } catch {
      // A damaged tail: no anchor; `rtt audit --verify` and the next append name the damage.
      return undefined;
    }
  }

  /** Why every append is refused (until the panel restarts), once a failed one left a torn line. */
  get stopped(): RttError | undefined {
    return this.#stopped;
  }

  append(entry: AuditEntry): AuditRecord {
    const [record] = this.appendAll([entry]);
    if (record === undefined) throw new RttError("RTT_ERR_INTERNAL", "audit append wrote nothing");
    return record;
  }

  /** Whether a record was written and not fsynced yet. */
  get unsynced(): boolean {
    return this.#durable !== undefined;
  }

  /**
   * Appends the records in one write and one fsync, which makes every record written before them
   * durable too; with `sync` false, without the fsync (`syncOffLoop` or a later append's).
   */
  appendAll(
    entries: readonly AuditEntry[],
    options: { readonly sync?: boolean } = {},
  ): AuditRecord[] {
    if (entries.length === 0) return [];
    const sync = options.sync !== false;
    if (this.#stopped !== undefined) throw this.#stopped;
    const known = this.#tail;
    const last =
      known !== undefined && existsSync(this.file) && statSync(this.file).size === known.size
        ? known.head
        : readTail(this.file);
    let written: ReturnType<typeof writeRecords>;
    try {
      written = writeRecords(this.file, entries, this.#options, last, this.#options.io, sync);
    } catch (error) {
      if (isWriterStopped(error)) this.#stopped = error;
      throw error;
    }
    const { records, head, size } = written;
    this.#tail = { head, size };
    if (sync) this.#durable = undefined;
    else this.#durable ??= { head: last, size: written.before };
    this.#headDue ??= setTimeout(() => {
      const writing = this.#writeHeadOffLoop();
      this.#headWriting = writing;
      void writing.finally(() => {
        if (this.#headWriting === writing) this.#headWriting = undefined;
      });
    }, HEAD_DELAY_MS);
    return records;
  }

  /** The delayed head write, its fsyncs on the thread pool: the panel's loop is not held. */
  async #writeHeadOffLoop(): Promise<void> {
    const head = this.#dueHead();
    if (head === undefined) return;
    const write = ++this.#headWrites;
    try {
      await writeFileAtomicOffLoop(headPath(this.file), head, () => write === this.#headWrites);
    } catch (error) {
      // The next append writes it again; a head that lags verifies.
      this.#options.onHeadError?.(error);
    }
  }

  /**
   * fsyncs the records written since the last fsync on the thread pool (the group commit); those
   * written when it began are durable once it resolves. A failure cuts the ledger back to its
   * last durable record (`cutBack`) and throws.
   */
  async syncOffLoop(): Promise<void> {
    const tail = this.#tail;
    if (this.#durable === undefined || tail === undefined || this.#stopped !== undefined) return;
    const io = this.#options.io ?? NODE_IO;
    const fd = openStateFile(this.file, constants.O_WRONLY | constants.O_APPEND);
    try {
      await fsyncOffLoop(io, fd);
      this.#synced(tail);
    } catch (error) {
      this.#cutToDurable(fd, error);
    } finally {
      closeSync(fd);
    }
  }

  /** `syncOffLoop` on the loop: before the panel stops. */
  flush(): void {
    const tail = this.#tail;
    if (this.#durable === undefined || tail === undefined || this.#stopped !== undefined) return;
    const io = this.#options.io ?? NODE_IO;
    const fd = openStateFile(this.file, constants.O_WRONLY | constants.O_APPEND);
    try {
      io.fsyncSync(fd);
      this.#synced(tail);
    } catch (error) {
      this.#cutToDurable(fd, error);
    } finally {
      closeSync(fd);
    }
  }

  /** Everything up to `tail` (the newest record as an fsync began) is durable. */
  #synced(tail: { head: AuditHead; size: number }): void {
    const durable = this.#durable;
    if (durable === undefined || durable.size >= tail.size) return;
    this.#durable = this.#tail === tail ? undefined : { head: tail.head, size: tail.size };
  }

  /** An fsync failed: the records since the last durable one may be gone, so they are cut. */
  #cutToDurable(fd: number, error: unknown): never {
    const durable = this.#durable;
    if (durable === undefined) throw error;
    const io = this.#options.io ?? NODE_IO;
    const failure = cutBack({ path: this.file, fd, io }, "fsync", error, durable.size);
    if (isWriterStopped(failure)) this.#stopped = failure;
    else {
      this.#tail =
        durable.head === undefined ? undefined : { head: durable.head, size: durable.size };
      this.#durable = undefined;
    }
    throw failure;
  }

  /** The head file's content when an append left it behind and nobody else appended since. */
  #dueHead(): string | undefined {
    if (this.#headDue === undefined || this.#tail === undefined) return undefined;
    clearTimeout(this.#headDue);
    this.#headDue = undefined;
    if (!existsSync(this.file) || statSync(this.file).size !== this.#tail.size) return undefined;
    // The newest *durable* record: a head ahead of what a power loss leaves would not verify.
    const head = this.head;
    return head === undefined ? undefined : headContent(head, this.#options.signer);
  }

  /**
   * Writes the head file now if an append since the last write left it behind — unless the
   * ledger grew since (another writer appended and wrote its own, newer head).
   */
  flushHead(): void {
    const head = this.#dueHead();
    if (head === undefined) return;
    this.#headWrites++;
    writeFileAtomic(headPath(this.file), head);
  }

  /**
   * For a writer that is stopping: every record made durable, the head written now, and one
   * under way off the loop done.
   */
  async settle(): Promise<void> {
    this.flush();
    this.flushHead();
    await this.#headWriting;
  }

  verify(): LedgerVerdict {
    this.flushHead();
    return checkLedgerFile(this.file);
  }
}
