/**
 * The ledger checked against the WAL (docs/adr/0019-audit-identity.md). Each WAL commit carries
 * the ledger head it was written with (`audit: {seq, hash}`), and the head file is signed with
 * the panel's key. A chain and an unsigned head alone cannot show a ledger that was deleted, cut
 * back with its head rewritten to match, or started over at seq 1; the anchors can:
 *
 * - `deleted`: no records, while a commit anchored seq N;
 * - `restarted`: a later commit anchored a lower seq than an earlier one (the panel chained a new
 *   ledger from seq 1 after the old one went);
 * - `behind-anchor`: the ledger ends before an anchored seq (cut back, its head rewritten);
 * - `anchor-mismatch`: the record at an anchored seq is not the one anchored (rewritten);
 * - `head-unsigned` / `head-forged`: the head file lacks the panel's signature, or it fails;
 * - `salvaged`: `rtt panel start --salvage` dropped damaged records (`salvage-ledger.ts`).
 *
 * The evidence lasts as long as the WAL keeps the commits (compaction keeps the newest ones).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readStateFile } from "@rtt/connector-sdk";
import { KEYS_DIR, loadSigningKey, PANEL_KEY_NAME } from "../trust/keys.ts";
import { isAnchor } from "../wal/record.ts";
import { replayRecords } from "../wal/replay.ts";
import { readWal } from "../wal/segments.ts";
import { headSignature } from "./head-signature.ts";
import { checkLedgerFile, headPath } from "./ledger-file.ts";
import type { AuditRecord } from "./record.ts";
import { readSalvageNotes, salvageNotesPath } from "./salvage-ledger.ts";
import type { LedgerVerdict } from "./verify.ts";

export type AnchorProblem =
  | "salvaged"
  | "deleted"
  | "restarted"
  | "behind-anchor"
  | "anchor-mismatch"
  | "head-unsigned"
  | "head-forged";

export interface AnchorFinding {
  readonly problem: AnchorProblem;
  readonly message: string;
}

interface Anchored {
  readonly commit: number;
  readonly seq: number;
  readonly hash: string;
}

/** The anchors of the WAL's commits, oldest first. A WAL that cannot be read has none. */
export function walAnchors(walDir: string): Anchored[] {
  if (!existsSync(walDir)) return [];
  const { commits } = replayRecords(readWal(walDir).records);
  return commits.flatMap((c) =>
    isAnchor(c.audit) ? [{ commit: c.seq, seq: c.audit.seq, hash: c.audit.hash }] : [],
  );
}

/**
 * The panel's public key, to check the head's signature: from its private key when readable
 * (so a swapped `panel.pub` does not pass), else `.rtt/keys/panel.pub`; undefined when neither.
 */
export function panelPublicKey(rttDir: string): KeyObject | undefined {
  try {
    return loadSigningKey(rttDir, PANEL_KEY_NAME).publicKey;
  } catch {
    try {
      return createPublicKey(readStateFile(join(rttDir, KEYS_DIR, `${PANEL_KEY_NAME}.pub`)));
    } catch {
      return undefined;
    }
  }
}

/**
 * What is wrong with the ledger's `records` (already verified as a chain) given the WAL's
 * anchors and the head's signature; undefined when nothing is.
 */
export function checkAnchors(
  ledgerFile: string,
  records: readonly AuditRecord[],
  anchors: readonly Anchored[],
  key: KeyObject | undefined,
): AnchorFinding | undefined {
  const newest = anchors.reduce<Anchored | undefined>(
    (best, a) => (best === undefined || a.seq > best.seq ? a : best),
    undefined,
  );
  if (newest === undefined) return undefined;
  if (records.length === 0)
    return {
      problem: "deleted",
      message: `the ledger has no records, but WAL commit ${newest.commit} was written with ledger seq ${newest.seq}: the ledger was deleted`,
    };
  for (let i = 1; i < anchors.length; i++) {
    const [was, now] = [anchors[i - 1], anchors[i]];
    if (was !== undefined && now !== undefined && now.seq < was.seq)
      return {
        problem: "restarted",
        message: `WAL commit ${now.commit} was written with ledger seq ${now.seq} after commit ${was.commit} had seq ${was.seq}: the ledger restarted (the old one was deleted or replaced)`,
      };
  }
  if (records.length < newest.seq)
    return {
      problem: "behind-anchor",
      message: `the ledger ends at seq ${records.length}, but WAL commit ${newest.commit} was written with seq ${newest.seq}: records were cut off (and the head rewritten)`,
    };
  for (const a of anchors) {
    if (records[a.seq - 1]?.hash !== a.hash)
      return {
        problem: "anchor-mismatch",
        message: `record seq ${a.seq} is not the one WAL commit ${a.commit} was written with: the ledger was rewritten`,
      };
  }
  if (key === undefined) return undefined;
  const signature = headSignature(headPath(ledgerFile), key);
  // No head at all is not reported: a panel killed before its first delayed head write leaves
  // none, and a ledger cut back without a head is caught by the anchors above.
  if (signature === "unsigned")
    return {
      problem: "head-unsigned",
      message: `${headPath(ledgerFile)} is not signed, though the panel signs every head it writes: it was replaced`,
    };
  if (signature === "bad")
    return {
      problem: "head-forged",
      message: `${headPath(ledgerFile)}'s signature does not verify with the panel's key: it was rewritten`,
    };
  return undefined;
}

/** The workspace's ledger checked whole: the chain and head (verify.ts), then the anchors. */
export function checkWorkspaceLedger(paths: {
  readonly audit: string;
  readonly wal: string;
  readonly rttDir: string;
}): { verdict: LedgerVerdict; anchor: AnchorFinding | undefined } {
  const verdict = checkLedgerFile(paths.audit);
  if (!verdict.ok) return { verdict, anchor: undefined };
  const salvaged = salvageFinding(paths.audit);
  if (salvaged !== undefined) return { verdict, anchor: salvaged };
  const anchor = checkAnchors(
    paths.audit,
    verdict.records,
    walAnchors(paths.wal),
    panelPublicKey(paths.rttDir),
  );
  return { verdict, anchor };
}

/** The salvages that dropped records, as one finding; undefined when there were none. */
function salvageFinding(ledgerFile: string): AnchorFinding | undefined {
  const notes = readSalvageNotes(ledgerFile);
  if (notes.length === 0) return undefined;
  const said = notes.map((n) => {
    const seqs =
      n.droppedSeqs.length > 0
        ? `seq ${Math.min(...n.droppedSeqs)}..${Math.max(...n.droppedSeqs)}`
        : "no readable seq";
    return `at ${n.at} ${n.droppedLines} line(s) after seq ${n.keptThroughSeq} were dropped (${seqs}, ${n.droppedBytes} bytes; ${n.reason}), the original kept as ${n.aside}`;
  });
  return {
    problem: "salvaged",
    message: `the ledger was salvaged: ${said.join("; ")}; records are missing there (${salvageNotesPath(ledgerFile)})`,
  };
}
