/**
 * `rtt panel start --salvage` for the audit ledger (issue 15, finding 6): a ledger whose text is
 * damaged (a line cut off by a full disk, a line that is not a record, a broken chain) refuses
 * every append, so no commit can be audited. Salvage keeps the records up to the last one that
 * verifies, copies the damaged original to `ledger.ndjson.damaged-<time>` (never deleted) and
 * writes the good prefix in its place (atomically).
 *
 * It must not make `rtt audit --verify` lie. The head file is left as it was: a head past the
 * kept records keeps reporting them as deleted. And when whole records are dropped (anything
 * more than one last line that was never finished), the salvage is noted in
 * `salvaged.json` beside the ledger, which `anchor.ts` reports as `salvaged` — so the gap stays
 * visible even after new appends move the head on.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RttError } from "@rtt/core";
import { fileStamp } from "../wal/salvage.ts";
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import { checkLedgerFile } from "./ledger-file.ts";

/** One salvage that dropped whole records, as `salvaged.json` lists it. */
export interface SalvageNote {
  readonly at: string;
  /** The damaged original, beside the ledger. */
  readonly aside: string;
  readonly keptThroughSeq: number;
  readonly droppedLines: number;
  /** The seqs the dropped lines claim (where they parse). */
  readonly droppedSeqs: readonly number[];
  readonly droppedBytes: number;
  readonly reason: string;
}

export interface LedgerSalvage {
  readonly damaged: boolean;
  readonly kept: { readonly records: number; readonly lastSeq: number; readonly bytes: number };
  readonly dropped: {
    readonly lines: number;
    readonly seqs: readonly number[];
    readonly bytes: number;
    readonly reason: string | undefined;
  };
  readonly aside: string | undefined;
  /** True when the salvage was noted in `salvaged.json` (whole records were dropped). */
  readonly noted: boolean;
}

/** Where the salvages of `ledgerFile` that dropped records are listed. */
export function salvageNotesPath(ledgerFile: string): string {
  return join(dirname(ledgerFile), "salvaged.json");
}

/** The salvages noted for `ledgerFile`, oldest first; none when there is no note. */
export function readSalvageNotes(ledgerFile: string): SalvageNote[] {
  const path = salvageNotesPath(ledgerFile);
  if (!existsSync(path)) return [];
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    if (Array.isArray(value)) return value as SalvageNote[];
  } catch {
    // Reported below like any other unreadable note.
  }
  throw new RttError("RTT_ERR_AUDIT_TAMPERED", `${path} is not a list of salvages`, {
    hint: "it lists records `rtt panel start --salvage` dropped; restore it from a backup",
  });
}

/** Problems that are damage in the text; a head past the end (`head-mismatch`) is not. */
const DAMAGE: ReadonlySet<string> = new Set([
  "not-json",
  "truncated",
  "malformed",
  "edited",
  "out-of-sequence",
  "broken-chain",
]);

/** Salvages the ledger at `ledgerFile` (see the top of this file). */
export function salvageLedger(ledgerFile: string, now: Date = new Date()): LedgerSalvage {
  const verdict = checkLedgerFile(ledgerFile);
  const records = verdict.records;
  const lastSeq = records.at(-1)?.seq ?? 0;
  const text = existsSync(ledgerFile) ? readFileSync(ledgerFile) : Buffer.alloc(0);
  if (verdict.ok || !DAMAGE.has(verdict.problem))
    return {
      damaged: false,
      kept: { records: records.length, lastSeq, bytes: text.length },
      dropped: { lines: 0, seqs: [], bytes: 0, reason: undefined },
      aside: undefined,
      noted: false,
    };
  const keptBytes = lineStart(text, verdict.line);
  const droppedLines = text.subarray(keptBytes).toString("utf8").split("\n");
  if (droppedLines.at(-1) === "") droppedLines.pop();
  const droppedSeqs = droppedLines.flatMap(claimedSeq);
  const aside = `${ledgerFile}.damaged-${fileStamp(now)}`;
  writeFileAtomic(aside, text, 0o600);
  writeFileAtomic(ledgerFile, text.subarray(0, keptBytes), 0o600);
  const reason = `line ${verdict.line}: ${verdict.problem}: ${verdict.message}`;
  // One unfinished last line is an append that never completed: no record was lost.
  const noted = verdict.problem !== "truncated" || droppedLines.length > 1;
  if (noted) {
    const note: SalvageNote = {
      at: now.toISOString(),
      aside: basename(aside),
      keptThroughSeq: lastSeq,
      droppedLines: droppedLines.length,
      droppedSeqs,
      droppedBytes: text.length - keptBytes,
      reason,
    };
    const notes = [...readSalvageNotes(ledgerFile), note];
    writeFileAtomic(salvageNotesPath(ledgerFile), `${JSON.stringify(notes, null, 2)}\n`, 0o600);
  }
  return {
    damaged: true,
    kept: { records: records.length, lastSeq, bytes: keptBytes },
    dropped: {
      lines: droppedLines.length,
      seqs: droppedSeqs,
      bytes: text.length - keptBytes,
      reason,
    },
    aside,
    noted,
  };
}

/** The byte offset where 1-based `line` starts in `text`. */
function lineStart(text: Buffer, line: number): number {
  let at = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf(0x0a, at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return at;
}

/** The seq a dropped line claims, when it parses as an object with one. */
function claimedSeq(line: string): number[] {
  try {
    const v: unknown = JSON.parse(line);
    const seq = typeof v === "object" && v !== null ? (v as { seq?: unknown }).seq : undefined;
    return Number.isSafeInteger(seq) ? [seq as number] : [];
  } catch {
    return [];
  }
}
