/**
 * The audit ledger (docs/design.md §Invariants: audit ledger): every bind, unbind, swap, trip, heal
 * and rollback with who, when, why and before → after, one JSON record per line, hash-chained so
 * that an edited, deleted or reordered record is detected.
 *
 * - `hash` is the SHA-256 of the record's RFC 8785 canonical JSON without `hash`; `prev` is the
 *   previous record's `hash` (64 zeros for the first), and `prev` is inside what `hash` covers.
 * - Each append is one `write` on a descriptor opened with O_APPEND, then fsync'd.
 * - A chain alone cannot show that its *last* records were cut off: what is left still chains.
 *   So every append also records the head (`seq` and `hash` of the newest record) in a small
 *   file beside the ledger (`head.json`, written atomically); verification checks the ledger
 *   reaches that head. The head is written after the record, so a crash between the two leaves
 *   the ledger ahead of the head, which verifies; a ledger *behind* its head does not. Since a
 *   head that lags is sound, the daemon's `AuditLedger` writes it HEAD_DELAY_MS after an
 *   append, off the path of the call that appended: a QuickConnect answers after the record's
 *   fsync only (the head's write and two fsyncs in the same turn delayed the answer's socket
 *   write by ~3 ms, bench:control), and a burst of appends writes one head. That write's fsyncs
 *   run on the thread pool (they held the panel's event loop ~2.7 ms per QuickConnect).
 * - This detects accidents and casual edits, not an attacker who rewrites the whole file and the
 *   head: nothing here is signed.
 * - One writer at a time: the panel daemon holds the workspace lock.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { canonicalHash, type JsonValue, RttError } from "@rtt/core";
import { writeFileAtomic, writeFileAtomicOffLoop } from "../workspace/atomic-write.ts";

/** `degrade`: a route moved to a stub of its target (its breaker opened); `restore`: back. */
export const AUDIT_ACTIONS = [
  "bind",
  "unbind",
  "swap",
  "trip",
  "heal",
  "rollback",
  "degrade",
  "restore",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The `prev` of the first record. */
export const GENESIS_HASH = "0".repeat(64);

/** What a caller supplies; the ledger adds seq, at, prev and hash. */
export interface AuditEntry {
  readonly action: AuditAction;
  readonly route: string;
  readonly why: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
  /** `user@host`, or "panel" for what the panel did on its own. Default: this process's user. */
  readonly who?: string;
}

export interface AuditRecord {
  readonly seq: number;
  readonly at: string;
  readonly who: string;
  readonly action: AuditAction;
  readonly route: string;
  readonly why: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
  readonly prev: string;
  readonly hash: string;
}

/** The newest record's seq and hash, kept beside the ledger to detect a cut-off tail. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

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

const HEX64 = /^[0-9a-f]{64}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The record's hash: SHA-256 of its canonical JSON without `hash`. */
export function recordHash(record: Omit<AuditRecord, "hash"> | AuditRecord): string {
  const { hash: _ignored, ...rest } = record as AuditRecord;
  return canonicalHash(rest);
}

/** A record as one NDJSON line (fields in a fixed, readable order), newline included. */
export function recordLine(record: AuditRecord): string {
  const { seq, at, who, action, route, why, before, after, prev, hash } = record;
  return `${JSON.stringify({ seq, at, who, action, route, why, before, after, prev, hash })}\n`;
}

function shapeError(v: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 1) return "seq is not a positive integer";
  for (const key of ["at", "who", "route", "why"] as const) {
    if (typeof v[key] !== "string") return `${key} is not a string`;
  }
  if (!(AUDIT_ACTIONS as readonly unknown[]).includes(v.action)) {
    return `action is not one of ${AUDIT_ACTIONS.join(", ")}`;
  }
  if (!("before" in v) || !("after" in v)) return "before or after is missing";
  for (const key of ["prev", "hash"] as const) {
    if (typeof v[key] !== "string" || !HEX64.test(v[key])) return `${key} is not a SHA-256 hex`;
  }
  const extra = Object.keys(v).filter(
    (k) =>
      !["seq", "at", "who", "action", "route", "why", "before", "after", "prev", "hash"].includes(
        k,
      ),
  );
  if (extra.length > 0) return `unexpected field ${extra[0]}`;
  return undefined;
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
  let prev = GENESIS_HASH;
  const fail = (line: number, seq: number | undefined, problem: LedgerProblem, message: string) =>
    ({ ok: false, line, seq, problem, message, records }) as const;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const lineNo = i + 1;
    const last = i === lines.length - 1;
    if (last && !terminated) {
      return fail(lineNo, undefined, "truncated", "the last record is cut off (no newline)");
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return fail(lineNo, undefined, "not-json", "the line is not JSON");
    }
    if (!isObject(value)) return fail(lineNo, undefined, "malformed", "the line is not an object");
    const seq = Number.isSafeInteger(value.seq) ? (value.seq as number) : undefined;
    const shape = shapeError(value);
    if (shape !== undefined) return fail(lineNo, seq, "malformed", `not a ledger record: ${shape}`);
    const record = value as unknown as AuditRecord;
    if (recordHash(record) !== record.hash) {
      return fail(
        lineNo,
        record.seq,
        "edited",
        `record seq ${record.seq} was edited: its hash does not match its content`,
      );
    }
    const expected = records.length + 1;
    if (record.seq !== expected) {
      const what =
        record.seq > expected
          ? `record${record.seq - expected > 1 ? `s seq ${expected}..${record.seq - 1} are` : ` seq ${expected} is`} missing (deleted or moved)`
          : `seq ${record.seq} comes again or out of order`;
      return fail(
        lineNo,
        record.seq,
        "out-of-sequence",
        `expected seq ${expected}, found ${record.seq}: ${what}`,
      );
    }
    if (record.prev !== prev) {
      return fail(
        lineNo,
        record.seq,
        "broken-chain",
        `record seq ${record.seq} does not chain to the record before it (prev hash differs)`,
      );
    }
    records.push(record);
    prev = record.hash;
  }
  const { head } = options;
  if (head !== undefined) {
    const at = records[head.seq - 1];
    if (at === undefined) {
      return fail(
        lines.length + 1,
        head.seq,
        "head-mismatch",
        `the ledger ends at seq ${records.length} but its head says seq ${head.seq}: the last ${head.seq - records.length === 1 ? "record was" : `${head.seq - records.length} records were`} deleted`,
      );
    }
    if (at.hash !== head.hash) {
      return fail(
        head.seq,
        head.seq,
        "head-mismatch",
        `record seq ${head.seq} is not the one the head recorded: the ledger was rewritten`,
      );
    }
  }
  const newest = records.at(-1);
  return {
    ok: true,
    records,
    head: newest === undefined ? undefined : { seq: newest.seq, hash: newest.hash },
  };
}

/** Where the head of `ledgerFile` is kept. */
export function headPath(ledgerFile: string): string {
  return join(dirname(ledgerFile), "head.json");
}

/** The recorded head, or undefined when there is none (no appends yet, or an older ledger). */
export function readHead(ledgerFile: string): AuditHead | undefined {
  const path = headPath(ledgerFile);
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${path} is not JSON`);
  }
  if (
    !isObject(value) ||
    !Number.isSafeInteger(value.seq) ||
    typeof value.hash !== "string" ||
    !HEX64.test(value.hash)
  ) {
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${path} is not a ledger head`);
  }
  return { seq: value.seq as number, hash: value.hash };
}

/** Reads and verifies the ledger file against its head; a missing ledger is an empty one. */
export function checkLedgerFile(ledgerFile: string): LedgerVerdict {
  const text = existsSync(ledgerFile) ? readFileSync(ledgerFile, "utf8") : "";
  const head = readHead(ledgerFile);
  return verifyLedger(text, head === undefined ? {} : { head });
}

/** `user@host` of this process. */
export function currentWho(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? "unknown";
  }
  return `${user}@${hostname()}`;
}

export interface AuditLedgerOptions {
  /** The time source for `at`. Default: the system clock. */
  readonly clock?: () => Date;
  /** Default `who` for entries that give none. Default: `user@host` of this process. */
  readonly who?: string;
  /** A delayed head write failed (a full disk): the next append's write tries again. */
  readonly onHeadError?: (error: unknown) => void;
}

/** The last line of a file (with its newline), reading only as much of the end as it takes. */
function lastLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    // A record is a few hundred bytes: start small, grow until the window holds a whole line.
    let want = Math.min(size, 4096);
    for (;;) {
      const buf = Buffer.alloc(want);
      readSync(fd, buf, 0, want, size - want);
      const text = buf.toString("utf8");
      const start = text.lastIndexOf("\n", text.length - 2);
      if (start >= 0 || want === size) return text.slice(start + 1);
      want = Math.min(size, want * 4);
    }
  } finally {
    closeSync(fd);
  }
}

/** The newest record of the ledger, checking only that last line (not the whole chain). */
function tail(ledgerFile: string): AuditHead | undefined {
  if (!existsSync(ledgerFile)) return undefined;
  const line = lastLine(ledgerFile);
  if (line === "") return undefined;
  const refuse = (why: string) =>
    new RttError("RTT_ERR_AUDIT_TAMPERED", `cannot append to ${ledgerFile}: ${why}`, {
      hint: "run `rtt audit --verify` to find the bad record",
    });
  if (!line.endsWith("\n")) throw refuse("its last record is cut off");
  let value: unknown;
  try {
    value = JSON.parse(line.slice(0, -1));
  } catch {
    throw refuse("its last line is not JSON");
  }
  if (!isObject(value) || shapeError(value) !== undefined)
    throw refuse("its last line is not a record");
  const record = value as unknown as AuditRecord;
  if (recordHash(record) !== record.hash) throw refuse("its last record was edited");
  return { seq: record.seq, hash: record.hash };
}

/**
 * Appends records to the ledger at `ledgerFile` (created with its folder if absent) and returns
 * them: chained in order, one O_APPEND write, one fsync, then the head is updated — so an apply's
 * hundred binds cost one disk flush, not a hundred.
 */
export function appendAuditBatch(
  ledgerFile: string,
  entries: readonly AuditEntry[],
  options: AuditLedgerOptions = {},
): AuditRecord[] {
  if (entries.length === 0) return [];
  const { records, head } = writeRecords(ledgerFile, entries, options, tail(ledgerFile));
  writeFileAtomic(headPath(ledgerFile), `${JSON.stringify(head)}\n`);
  return records;
}

/**
 * Chains `entries` after `last`, appends them with one O_APPEND write and one fsync, and returns
 * them with the new head and the ledger's size after the write. Writes no head file.
 */
function writeRecords(
  ledgerFile: string,
  entries: readonly AuditEntry[],
  options: AuditLedgerOptions,
  last: AuditHead | undefined,
): { records: AuditRecord[]; head: AuditHead; size: number } {
  for (const entry of entries) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) {
      throw new RttError(
        "RTT_ERR_INTERNAL",
        `audit action ${String(entry.action)} is not one of ${AUDIT_ACTIONS.join(", ")}`,
      );
    }
  }
  const at = (options.clock ?? (() => new Date()))().toISOString();
  const records: AuditRecord[] = [];
  let head = last;
  for (const entry of entries) {
    const body: Omit<AuditRecord, "hash"> = {
      seq: (head?.seq ?? 0) + 1,
      at,
      who: entry.who ?? options.who ?? currentWho(),
      action: entry.action,
      route: entry.route,
      why: entry.why,
      before: entry.before,
      after: entry.after,
      prev: head?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...body, hash: recordHash(body) };
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  if (head === undefined) throw new RttError("RTT_ERR_INTERNAL", "audit append of no records");
  const bytes = Buffer.from(records.map(recordLine).join(""), "utf8");
  mkdirSync(dirname(ledgerFile), { recursive: true });
  const fd = openSync(
    ledgerFile,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
    0o644,
  );
  try {
    const written = writeSync(fd, bytes);
    if (written !== bytes.length) {
      throw new RttError(
        "RTT_ERR_INTERNAL",
        `short write to ${ledgerFile}: ${written} of ${bytes.length} bytes`,
      );
    }
    fsyncSync(fd);
    return { records, head, size: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/** Appends one record; see appendAuditBatch. */
export function appendAudit(
  ledgerFile: string,
  entry: AuditEntry,
  options: AuditLedgerOptions = {},
): AuditRecord {
  const [record] = appendAuditBatch(ledgerFile, [entry], options);
  if (record === undefined) throw new RttError("RTT_ERR_INTERNAL", "audit append wrote nothing");
  return record;
}

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

  constructor(file: string, options: AuditLedgerOptions = {}) {
    this.file = file;
    this.#options = options;
  }

  append(entry: AuditEntry): AuditRecord {
    const [record] = this.appendAll([entry]);
    if (record === undefined) throw new RttError("RTT_ERR_INTERNAL", "audit append wrote nothing");
    return record;
  }

  appendAll(entries: readonly AuditEntry[]): AuditRecord[] {
    if (entries.length === 0) return [];
    const known = this.#tail;
    const last =
      known !== undefined && existsSync(this.file) && statSync(this.file).size === known.size
        ? known.head
        : tail(this.file);
    const { records, head, size } = writeRecords(this.file, entries, this.#options, last);
    this.#tail = { head, size };
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

  /** The head file's content when an append left it behind and nobody else appended since. */
  #dueHead(): string | undefined {
    if (this.#headDue === undefined || this.#tail === undefined) return undefined;
    clearTimeout(this.#headDue);
    this.#headDue = undefined;
    if (!existsSync(this.file) || statSync(this.file).size !== this.#tail.size) return undefined;
    return `${JSON.stringify(this.#tail.head)}\n`;
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

  /** For a writer that is stopping: the head written now, and one under way off the loop done. */
  async settle(): Promise<void> {
    this.flushHead();
    await this.#headWriting;
  }

  verify(): LedgerVerdict {
    this.flushHead();
    return checkLedgerFile(this.file);
  }
}
