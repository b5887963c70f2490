/**
 * Verifying a ledger's text (docs/design.md §Invariants: audit ledger): every line a record whose
 * hash matches, seq 1, 2, 3, … and each prev the hash before it, and, given the head kept beside
 * the ledger, that the ledger reaches it. A chain alone cannot show that its *last* records were
 * cut off (what is left still chains); the head can.
 */
import { type AuditHead, type AuditRecord, GENESIS_HASH, parseRecord } from "./record.ts";

export type LedgerProblem =
  /** The line is not JSON (and is not the last, unterminated one). */
  | "not-json"
  /** The last line has no newline: the file was cut mid-record. */
  | "truncated"
  /** JSON, but not a ledger record (a field missing or of the wrong type). */
  | "malformed"
  /** The record's hash does not match its content. */
  | "edited"
  /** seq is not the one after the previous record's: a record was deleted or moved. */
  | "out-of-sequence"
  /** seq is right but prev is not the previous record's hash. */
  | "broken-chain"
  /** The ledger does not reach the recorded head: its tail was deleted, or history rewritten. */
  | "head-mismatch";

export type LedgerVerdict =
  | {
      readonly ok: true;
      readonly records: readonly AuditRecord[];
      /** The newest record's seq and hash; undefined for an empty ledger. */
      readonly head: AuditHead | undefined;
    }
  | {
      readonly ok: false;
      /** 1-based line of the first bad record (for head-mismatch past the end: lines + 1). */
      readonly line: number;
      /** The seq the bad line claims, when it has one. */
      readonly seq: number | undefined;
      readonly problem: LedgerProblem;
      readonly message: string;
      /** The records before the bad line, all verified. */
      readonly records: readonly AuditRecord[];
    };

/** What is wrong at one line: a failed verdict without its records. */
interface Failure {
  readonly line: number;
  readonly seq: number | undefined;
  readonly problem: LedgerProblem;
  readonly message: string;
}

/**
 * Checks a ledger's text: every line a record whose hash matches, seq 1, 2, 3, … and each prev
 * the hash before it; with `head`, also that the ledger reaches that record. Returns the records
 * or the first bad line and why.
 */
export function verifyLedger(text: string, options: { head?: AuditHead } = {}): LedgerVerdict {
  const records: AuditRecord[] = [];
  const lines = text.split("\n");
  const terminated = text.endsWith("\n") || text === "";
  if (terminated) lines.pop();
  const fail = ({ line, seq, problem, message }: Failure) =>
    ({ ok: false, line, seq, problem, message, records }) as const;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (i === lines.length - 1 && !terminated) {
      const message = "the last record is cut off (no newline)";
      return fail({ line, seq: undefined, problem: "truncated", message });
    }
    const parsed = parseRecord(lines[i] ?? "");
    if (!parsed.ok) return fail({ line, ...parsed });
    const unchained = chainFailure(parsed.record, records.at(-1));
    if (unchained !== undefined) return fail({ line, ...unchained });
    records.push(parsed.record);
  }
  const { head } = options;
  const short = head === undefined ? undefined : headFailure(records, head, lines.length);
  if (short !== undefined) return fail(short);
  const newest = records.at(-1);
  return {
    ok: true,
    records,
    head: newest === undefined ? undefined : { seq: newest.seq, hash: newest.hash },
  };
}

/** Why `record` cannot follow `previous` (undefined: it is the first), or undefined if it can. */
function chainFailure(
  record: AuditRecord,
  previous: AuditRecord | undefined,
): Omit<Failure, "line"> | undefined {
  const expected = (previous?.seq ?? 0) + 1;
  if (record.seq !== expected) {
    const what =
      record.seq > expected
        ? `record${record.seq - expected > 1 ? `s seq ${expected}..${record.seq - 1} are` : ` seq ${expected} is`} missing (deleted or moved)`
        : `seq ${record.seq} comes again or out of order`;
    return {
      seq: record.seq,
      problem: "out-of-sequence",
      message: `expected seq ${expected}, found ${record.seq}: ${what}`,
    };
  }
  if (record.prev !== (previous?.hash ?? GENESIS_HASH)) {
    return {
      seq: record.seq,
      problem: "broken-chain",
      message: `record seq ${record.seq} does not chain to the record before it (prev hash differs)`,
    };
  }
  return undefined;
}

/** Why the verified `records` (read from `lineCount` lines) do not reach `head`, if they don't. */
function headFailure(
  records: readonly AuditRecord[],
  head: AuditHead,
  lineCount: number,
): Failure | undefined {
  const at = records[head.seq - 1];
  if (at === undefined) {
    const lost = head.seq - records.length;
    return {
      line: lineCount + 1,
      seq: head.seq,
      problem: "head-mismatch",
      message: `the ledger ends at seq ${records.length} but its head says seq ${head.seq}: the last ${lost === 1 ? "record was" : `${lost} records were`} deleted`,
    };
  }
  if (at.hash !== head.hash) {
    return {
      line: head.seq,
      seq: head.seq,
      problem: "head-mismatch",
      message: `record seq ${head.seq} is not the one the head recorded: the ledger was rewritten`,
    };
  }
  return undefined;
}
