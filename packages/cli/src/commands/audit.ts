import { RttError } from "@rtt/core";
import {
  type AnchorFinding,
  type AuditRecord,
  checkWorkspaceLedger,
  type LedgerVerdict,
  relativeToRoot,
} from "@rtt/panel";
import { count, paint, table } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { wholeNumber } from "./flags.ts";

export interface AuditOptions {
  readonly verify?: boolean;
  readonly json?: boolean;
  readonly route?: string;
  readonly limit?: string;
}

function parseLimit(limit: string | undefined): number | undefined {
  return limit === undefined
    ? undefined
    : wholeNumber("--limit", limit, 1, Number.MAX_SAFE_INTEGER);
}

/** A JSON value on one line (a string as itself), cut to `max` characters. */
function brief(value: unknown, max = 48): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** What a record changed: the keys whose value differs, each `key: before → after`. */
export function changeOf(before: unknown, after: unknown): string {
  if (!isRecord(before) || !isRecord(after)) return `${brief(before)} → ${brief(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (changed.length === 0) return "(no change)";
  return changed
    .map(
      (k) =>
        `${k}: ${k in before ? brief(before[k]) : "-"} → ${k in after ? brief(after[k]) : "-"}`,
    )
    .join("; ");
}

export function auditCommand(ctx: CommandContext, opts: AuditOptions): number {
  const limit = parseLimit(opts.limit);
  const paths = workspaceOf(ctx);
  const file = relativeToRoot(paths, paths.audit);
  const { verdict, anchor } = checkWorkspaceLedger(paths);
  if (opts.verify) {
    if (anchor !== undefined) return reportAnchor(ctx, anchor, file, opts);
    return reportVerdict(ctx, verdict, file, opts);
  }

  if (!verdict.ok) {
    throw new RttError(
      "RTT_ERR_AUDIT_TAMPERED",
      `${file}:${verdict.line}: ${verdict.problem}: ${verdict.message}`,
      { hint: "run `rtt audit --verify` for details; nothing is listed from a ledger that fails" },
    );
  }
  let records: readonly AuditRecord[] = verdict.records;
  if (opts.route !== undefined) records = records.filter((r) => r.route === opts.route);
  if (limit !== undefined) records = records.slice(-limit);

  if (opts.json) {
    for (const r of records) ctx.term.out.write(`${JSON.stringify(r)}\n`);
    return 0;
  }
  printRecords(ctx, records, verdict.records.length);
  return 0;
}

/** `--verify` when the chain holds but the WAL's anchors or the head's signature do not (1). */
function reportAnchor(
  ctx: CommandContext,
  finding: AnchorFinding,
  file: string,
  opts: AuditOptions,
): number {
  if (opts.json) {
    writeJson(ctx, { ok: false, file, problem: finding.problem, message: finding.message });
  } else {
    ctx.term.err.write(
      `${paint(ctx.term.err, "red", `rtt: ${file}: ledger tampered: ${finding.problem}: ${finding.message}`)} (RTT_ERR_AUDIT_TAMPERED)\n`,
    );
    ctx.term.err.write(
      "  hint: the WAL records the ledger head each commit was written with; see docs/adr/0019-audit-identity.md\n",
    );
  }
  return 1;
}

/** `--verify`: says the ledger is intact (0), or names its first bad line (1). */
function reportVerdict(
  ctx: CommandContext,
  verdict: LedgerVerdict,
  file: string,
  opts: AuditOptions,
): number {
  if (verdict.ok) {
    const n = verdict.records.length;
    if (opts.json) {
      writeJson(ctx, { ok: true, records: n, head: verdict.head ?? null });
    } else {
      const head = verdict.head === undefined ? "(empty)" : verdict.head.hash.slice(0, 12);
      ctx.term.out.write(
        `${paint(ctx.term.out, "green", `ledger intact: ${count(n, "record")}, head ${head}`)}\n`,
      );
    }
    return 0;
  }
  const { line, seq, problem, message } = verdict;
  if (opts.json) {
    writeJson(ctx, { ok: false, file, line, seq: seq ?? null, problem, message });
  } else {
    ctx.term.err.write(
      `${paint(ctx.term.err, "red", `rtt: ${file}:${line}: ledger tampered: ${problem}: ${message}`)} (RTT_ERR_AUDIT_TAMPERED)\n`,
    );
    ctx.term.err.write(
      `  hint: records before line ${line} verify; the file is plain NDJSON, one record a line\n`,
    );
  }
  return 1;
}

/** The records as a table, oldest first, and how many of the ledger's they are. */
function printRecords(ctx: CommandContext, records: readonly AuditRecord[], total: number): void {
  if (records.length === 0) {
    ctx.term.out.write(total === 0 ? "no audit records yet\n" : "no audit records match\n");
    return;
  }
  const rows = records.map((r) => [
    String(r.seq),
    r.at,
    r.who,
    r.action,
    r.route,
    changeOf(r.before, r.after),
    r.why,
  ]);
  ctx.term.out.write(`${table(["SEQ", "AT", "WHO", "ACTION", "ROUTE", "CHANGE", "WHY"], rows)}\n`);
  ctx.term.out.write(
    paint(ctx.term.out, "dim", `${count(records.length, "record")} of ${total}\n`),
  );
}
