/**
 * Replay as a pure fold over intact records: the last committed topology, the transactions
 * left open (partial, to be discarded), and the resource ledger. No I/O here; `wal.ts` reads
 * the segments and hands over the records that can be trusted.
 */
import type { JsonValue } from "@rtt/core";
import type { AuditAnchor, ResourceIntent, WalRecord } from "./record.ts";

export interface CommitPoint {
  readonly seq: number;
  readonly txid: string;
  readonly post: JsonValue;
  /** The audit ledger's head the commit was written with. */
  readonly audit?: AuditAnchor;
}

/**
 * The commits that changed the state `stateKey` picks out of a post (each one's key differs
 * from the commit's before it): the distinct rollback targets. A commit that only journaled
 * something beside it (a breaker's state, with the same topology) is not one.
 */
export function stateChanges(
  commits: readonly CommitPoint[],
  stateKey: (post: JsonValue) => string,
): CommitPoint[] {
  let previous: string | undefined;
  return commits.filter((c) => {
    const key = stateKey(c.post);
    const changed = key !== previous;
    previous = key;
    return changed;
  });
}

export type TxStatus = "committed" | "aborted" | "partial";

export interface LedgerEntry extends ResourceIntent {
  /** Sequence number of the `op` record that announced the resource. */
  readonly seq: number;
  readonly txid: string;
  /** The fate of the transaction that recorded it. */
  readonly status: TxStatus;
}

export interface ReplayState {
  /** The post-graph of the last committed transaction; undefined when none ever committed. */
  readonly committed: CommitPoint | undefined;
  /** Every commit in log order (for `rollbackTarget`). */
  readonly commits: readonly CommitPoint[];
  /** Transactions that began but neither committed nor aborted, with what their begin journaled. */
  readonly partial: readonly {
    readonly txid: string;
    readonly seq: number;
    readonly pre: JsonValue;
  }[];
  /** Resources recorded and not released, oldest first. */
  readonly ledger: readonly LedgerEntry[];
  /** The ledger entries a restarting panel must reap: from partial or aborted transactions. */
  readonly toReap: readonly LedgerEntry[];
  /** Sequence number of the last intact record (0 for an empty log). */
  readonly lastSeq: number;
}

const resourceKey = (kind: string, name: string) => `${kind}\u0000${name}`;

export function replayRecords(records: Iterable<WalRecord>): ReplayState {
  const commits: CommitPoint[] = [];
  const open = new Map<string, { seq: number; pre: JsonValue }>();
  const status = new Map<string, TxStatus>();
  const ledger = new Map<string, Omit<LedgerEntry, "status">>();
  let lastSeq = 0;
  for (const r of records) {
    lastSeq = r.seq;
    switch (r.type) {
      case "begin":
        open.set(r.txid, { seq: r.seq, pre: r.pre });
        status.set(r.txid, "partial");
        break;
      case "op":
        if (r.action.type === "resource") {
          const res = r.action.resource;
          ledger.delete(resourceKey(res.kind, res.name));
          ledger.set(resourceKey(res.kind, res.name), { ...res, seq: r.seq, txid: r.txid });
        }
        break;
      case "commit":
        open.delete(r.txid);
        status.set(r.txid, "committed");
        commits.push({
          seq: r.seq,
          txid: r.txid,
          post: r.post,
          ...(r.audit === undefined ? {} : { audit: r.audit }),
        });
        break;
      case "abort":
        open.delete(r.txid);
        status.set(r.txid, "aborted");
        break;
      case "checkpoint":
        // Compaction: the state as of here, instead of the records before it.
        commits.length = 0;
        commits.push(...r.commits);
        open.clear();
        ledger.clear();
        for (const e of r.ledger) {
          const { status: fate, ...entry } = e;
          ledger.set(resourceKey(e.kind, e.name), entry);
          status.set(e.txid, fate);
        }
        break;
      case "resource-released":
        ledger.delete(resourceKey(r.kind, r.name));
        break;
    }
  }
  const entries: LedgerEntry[] = [...ledger.values()]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => ({ ...e, status: status.get(e.txid) ?? "partial" }));
  return {
    committed: commits.at(-1),
    commits,
    partial: [...open].map(([txid, t]) => ({ txid, seq: t.seq, pre: t.pre })),
    ledger: entries,
    toReap: entries.filter((e) => e.status !== "committed"),
    lastSeq,
  };
}
