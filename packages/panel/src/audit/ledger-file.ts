/**
 * The audit ledger on disk (docs/design.md §Invariants: audit ledger): one JSON record per line
 * (`record.ts`), hash-chained, and a head file beside it.
 *
 * - Each append is one `write` on a descriptor opened with O_APPEND, then fsync'd.
 * - A chain alone cannot show that its *last* records were cut off: what is left still chains.
 *   So every append also records the head (`seq` and `hash` of the newest record) in a small
 *   file beside the ledger (`head.json`, written atomically); verification checks the ledger
 *   reaches that head. The head is written after the record, so a crash between the two leaves
 *   the ledger ahead of the head, which verifies; a ledger *behind* its head does not.
 * - One writer at a time: the panel daemon holds the workspace lock.
 */
import { closeSync, constants, existsSync, fstatSync, mkdirSync, readSync } from "node:fs";
import { dirname, join } from "node:path";
import { openStateFile, readStateFile, refuseLinks } from "@rtt/connector-sdk";
import { RttError } from "@rtt/core";
import type { SigningKey } from "../trust/keys.ts";
import { cutBack, NODE_IO, type WalIo } from "../wal/segment-writer.ts";
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import { headContent } from "./head-signature.ts";
import {
  type AuditEntry,
  type AuditHead,
  type AuditRecord,
  chainRecords,
  isAuditHead,
  parseRecord,
  type RecordStamp,
  recordLine,
} from "./record.ts";
import { type LedgerVerdict, verifyLedger } from "./verify.ts";

export interface AuditLedgerOptions extends RecordStamp {
  /** Signs the head file (the panel's key, ADR 0019); unsigned without one. */
  readonly signer?: SigningKey;
  /** A delayed head write failed (a full disk): the next append's write tries again. */
  readonly onHeadError?: (error: unknown) => void;
  /** The file operations that can fail (tests inject a failing disk); default node:fs. */
  readonly io?: WalIo;
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
    value = JSON.parse(readStateFile(path));
  } catch (error) {
    if (error instanceof RttError) throw error;
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${path} is not JSON`);
  }
  if (!isAuditHead(value)) {
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${path} is not a ledger head`);
  }
  return { seq: value.seq, hash: value.hash };
}

/** Reads and verifies the ledger file against its head; a missing ledger is an empty one. */
export function checkLedgerFile(ledgerFile: string): LedgerVerdict {
  // A dangling link is no "empty ledger": it is refused like any link under .rtt/.
  refuseLinks(ledgerFile);
  const text = existsSync(ledgerFile) ? readStateFile(ledgerFile) : "";
  const head = readHead(ledgerFile);
  return verifyLedger(text, head === undefined ? {} : { head });
}

/** Bytes `from` to the end of the open file `fd` of `size` bytes (fewer if it shrank meanwhile). */
function readToEnd(fd: number, from: number, size: number): Buffer {
  const buf = Buffer.alloc(size - from);
  let read = 0;
  while (read < buf.length) {
    const n = readSync(fd, buf, read, buf.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  return buf.subarray(0, read);
}

/**
 * The ledger's complete records from byte `offset` on (0, or a `next` this returned), and the
 * offset after them. Only the bytes past `offset` are read: a ledger that did not grow returns
 * at once. The last line without its newline is an append in progress: it is left for the next
 * read. Lines are read as JSON, not verified (`checkLedgerFile` verifies).
 */
export function readRecordsFrom(
  ledgerFile: string,
  offset: number,
): { records: AuditRecord[]; next: number } {
  if (!existsSync(ledgerFile)) return { records: [], next: offset };
  const fd = openStateFile(ledgerFile, constants.O_RDONLY);
  let bytes: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size < offset)
      throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${ledgerFile} shrank while it was read`, {
        hint: "run `rtt audit --verify` to find the bad record",
      });
    if (size === offset) return { records: [], next: offset };
    bytes = readToEnd(fd, offset, size);
  } finally {
    closeSync(fd);
  }
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end === 0) return { records: [], next: offset };
  const records: AuditRecord[] = [];
  for (const line of bytes.subarray(0, end).toString("utf8").split("\n")) {
    if (line === "") continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${ledgerFile} has a line that is not JSON`, {
        hint: "run `rtt audit --verify` to find the bad record",
      });
    }
  }
  return { records, next: offset + end };
}

/** The last line of a file (with its newline), reading only as much of the end as it takes. */
function lastLine(path: string): string {
  const fd = openStateFile(path, constants.O_RDONLY);
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

const TAIL_REFUSALS = {
  "not-json": "its last line is not JSON",
  malformed: "its last line is not a record",
  edited: "its last record was edited",
} as const;

/** The newest record of the ledger, checking only that last line (not the whole chain). */
export function readTail(ledgerFile: string): AuditHead | undefined {
  if (!existsSync(ledgerFile)) return undefined;
  const line = lastLine(ledgerFile);
  if (line === "") return undefined;
  const refuse = (why: string) =>
    new RttError("RTT_ERR_AUDIT_TAMPERED", `cannot append to ${ledgerFile}: ${why}`, {
      hint: "run `rtt audit --verify` to find the bad record",
    });
  if (!line.endsWith("\n")) throw refuse("its last record is cut off");
  const parsed = parseRecord(line.slice(0, -1));
  if (!parsed.ok) throw refuse(TAIL_REFUSALS[parsed.problem]);
  return { seq: parsed.record.seq, hash: parsed.record.hash };
}

/**
 * Chains `entries` after `last`, appends them with one O_APPEND write and one fsync (none with
 * `sync` false: the group commit's), and returns them with the new head, the ledger's size before
 * and after the write. Writes no head file. A failed write or fsync is cut back to the ledger's
 * size before it (`cutBack`): RTT_ERR_WAL_UNWRITABLE, one `isWriterStopped` when the cut failed
 * too and a torn line stays.
 */
export function writeRecords(
  ledgerFile: string,
  entries: readonly AuditEntry[],
  options: RecordStamp,
  last: AuditHead | undefined,
  io: WalIo = NODE_IO,
  sync = true,
): { records: AuditRecord[]; head: AuditHead; before: number; size: number } {
  const { records, head } = chainRecords(entries, last, options);
  const bytes = Buffer.from(records.map(recordLine).join(""), "utf8");
  refuseLinks(ledgerFile);
  mkdirSync(dirname(ledgerFile), { recursive: true });
  const fd = openStateFile(
    ledgerFile,
    constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
    0o644,
  );
  try {
    const before = fstatSync(fd).size;
    let op = "write";
    try {
      let done = 0;
      while (done < bytes.length) done += io.writeSync(fd, bytes, done);
      op = "fsync";
      if (sync) io.fsyncSync(fd);
    } catch (error) {
      throw cutBack({ path: ledgerFile, fd, io }, op, error, before);
    }
    return { records, head, before, size: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
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
  const { records, head } = writeRecords(ledgerFile, entries, options, readTail(ledgerFile));
  writeFileAtomic(headPath(ledgerFile), headContent(head, options.signer));
  return records;
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
