/**
 * The group commit (docs/adr/0030-durability-contract.md): a hot swap writes its WAL commit and
 * its audit record and answers; the fsync that makes them durable comes within `windowMs`, off
 * the event loop, and is shared by every record written in the meantime — a burst of flips
 * costs one fsync per file, not two per flip, and none of it on a caller's critical path.
 *
 * Each file is fsynced on its own: a WAL commit only ever anchors an audit record already durable
 * (AuditLedger.head), so no order between the two is needed. A failed fsync cuts that file back
 * to its last durable record (as a failed synchronous one does) and is logged; the drivers still
 * do what the lost flips did, and a restart adopts it (daemon/driver-truth.ts).
 */
import { errorMessage } from "@rtt/core";

/** A file whose writes can be made durable off the loop (Wal, AuditLedger). */
export interface Syncable {
  readonly unsynced: boolean;
  syncOffLoop(): Promise<void>;
  flush(): void;
}

export const GROUP_COMMIT_MS = 4;

export class GroupCommit {
  readonly #files: readonly Syncable[];
  readonly #windowMs: number;
  readonly #log: (line: string) => void;
  #due: NodeJS.Timeout | undefined;
  /** The group fsync under way, if any. */
  #running: Promise<void> | undefined;

  constructor(files: readonly Syncable[], log: (line: string) => void, windowMs = GROUP_COMMIT_MS) {
    this.#files = files;
    this.#log = log;
    this.#windowMs = windowMs;
  }

  /** Something was written, not fsynced: a group fsync within the window takes it along. */
  written(): void {
    this.#due ??= setTimeout(() => {
      this.#due = undefined;
      void this.#run();
    }, this.#windowMs);
  }

  /** Before the files close: no group fsync under way or due, everything fsynced on the loop. */
  async settle(): Promise<void> {
    clearTimeout(this.#due);
    this.#due = undefined;
    await this.#running;
    for (const file of this.#files) {
      try {
        file.flush();
      } catch (error) {
        this.#log(`the last group commit failed: ${errorMessage(error)}`);
      }
    }
  }

  async #run(): Promise<void> {
    // One group fsync at a time; what was written during it gets the next one.
    if (this.#running !== undefined) {
      await this.#running;
      if (this.#files.some((f) => f.unsynced)) this.written();
      return;
    }
    const run = Promise.all(
      this.#files.map((f) =>
        f.syncOffLoop().catch((error: unknown) => {
          this.#log(
            `a group commit's fsync failed, what it held is cut back: ${errorMessage(error)}`,
          );
        }),
      ),
    ).then(() => undefined);
    this.#running = run;
    try {
      await run;
    } finally {
      this.#running = undefined;
    }
  }
}
