/**
 * What `rtt panel start` checks before it starts a panel, and `--salvage` (issue 15, finding 6):
 * a WAL damaged before its tail, or a ledger whose last record is damaged, would make the panel
 * fail to start (or refuse every commit); the error names `--salvage`, which keeps what verifies,
 * moves the damaged originals aside and says what it kept and dropped.
 */
import { relative } from "node:path";
import { RttError } from "@rtt/core";
import {
  type LedgerSalvage,
  readTail,
  readWal,
  salvageLedger,
  salvageWal,
  type WalSalvage,
  type WorkspacePaths,
} from "@rtt/panel";
import type { CommandContext } from "./context.ts";

export interface Salvaged {
  readonly wal: WalSalvage;
  readonly ledger: LedgerSalvage;
}

/**
 * Throws what would stop the panel: RTT_ERR_WAL_CORRUPT (its hint names `--salvage`), or
 * RTT_ERR_AUDIT_TAMPERED for a ledger whose last record cannot be appended after. Reads only.
 */
export function checkStartable(paths: WorkspacePaths): void {
  readWal(paths.wal);
  try {
    readTail(paths.audit);
  } catch (error) {
    if (!(error instanceof RttError) || error.code !== "RTT_ERR_AUDIT_TAMPERED") throw error;
    throw new RttError("RTT_ERR_AUDIT_TAMPERED", error.message, {
      hint: "`rtt panel start --salvage` keeps the records that verify and moves the damaged ledger aside (never deleted); `rtt audit --verify` shows the bad record",
      cause: error,
    });
  }
}

/** Salvages the WAL and the ledger of a workspace whose panel is not running. */
export function salvageWorkspace(paths: WorkspacePaths, now: Date = new Date()): Salvaged {
  return { wal: salvageWal(paths.wal, now), ledger: salvageLedger(paths.audit, now) };
}

const range = (seqs: readonly number[]) =>
  seqs.length === 0
    ? "no intact record"
    : seqs.length === 1
      ? `seq ${seqs[0]}`
      : `seqs ${Math.min(...seqs)}..${Math.max(...seqs)}`;

/** The salvage in words, one line per file, paths relative to the workspace. */
export function writeSalvaged(ctx: CommandContext, paths: WorkspacePaths, s: Salvaged): void {
  const rel = (p: string) => relative(paths.root, p) || p;
  const { wal, ledger } = s;
  if (!wal.damaged) ctx.term.out.write("salvage: the WAL is intact, nothing dropped\n");
  else
    ctx.term.out.write(
      `salvage: WAL kept ${wal.kept.records} records (through seq ${wal.kept.lastSeq}, ${wal.kept.bytes} bytes); dropped ${wal.dropped.bytes} bytes (${wal.dropped.parts
        .map((p) => `${p.segment} from byte ${p.offset}: ${p.reason}`)
        .join(
          "; ",
        )}), ${range(wal.dropped.seqs)} among them; originals in ${rel(wal.aside ?? "")}\n`,
    );
  if (!ledger.damaged) ctx.term.out.write("salvage: the audit ledger is intact, nothing dropped\n");
  else
    ctx.term.out.write(
      `salvage: audit ledger kept ${ledger.kept.records} records (through seq ${ledger.kept.lastSeq}); dropped ${ledger.dropped.lines} line(s), ${ledger.dropped.bytes} bytes, ${range(ledger.dropped.seqs)} (${ledger.dropped.reason}); original in ${rel(ledger.aside ?? "")}${ledger.noted ? "; `rtt audit --verify` reports the dropped records" : ""}\n`,
    );
}
