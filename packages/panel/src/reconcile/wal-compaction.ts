/**
 * Compacting the WAL between applies, never during one (the reconciler queues it like any
 * other work).
 */
import { topologyKey } from "../plan/topology.ts";
import type { Wal } from "../wal/wal.ts";

export class WalCompaction {
  readonly #wal: Wal;
  /** The WAL's size after the last compaction (0: none yet). */
  #compactedTo = 0;

  constructor(wal: Wal) {
    this.#wal = wal;
  }

  /**
   * Compacts the WAL once it holds more than `atBytes`, keeping the newest `keepCommits` commits
   * that changed the topology as rollback targets (a flapping breaker's journal commits do not
   * push an apply out) and the newest commit. Returns the bytes removed.
   */
  compact(atBytes: number, keepCommits: number): number {
    // Past what the last compaction left, doubled: a checkpoint bigger than `atBytes` (many
    // routes, many kept commits) must not be rewritten by every sweep.
    if (this.#wal.totalBytes <= Math.max(atBytes, 2 * this.#compactedTo)) return 0;
    const removed = this.#wal.compact(keepCommits, topologyKey).removedBytes;
    this.#compactedTo = this.#wal.totalBytes;
    return removed;
  }
}
