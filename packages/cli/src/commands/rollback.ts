/**
 * `rtt rollback [SEQ] [--list]` (docs/design.md §The life of a route: recover): the committed
 * topologies the WAL keeps, and restoring one of them through the panel's two-phase path (journaled
 * and audited like any apply) — shown first and asked for like `rtt apply` (`--auto-approve`).
 */
import { RttError } from "@rtt/core";
import {
  asTopology,
  currentWho,
  diffTopologies,
  readWal,
  replayRecords,
  stateChanges,
  type Topology,
  topologyKey,
  type WorkspacePaths,
} from "@rtt/panel";
import { table } from "../output.ts";
import { approvedAtTerminal } from "./approval.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { ensurePanel } from "./panel.ts";
import { printRollback } from "./plan.ts";

export async function rollbackCommand(
  ctx: CommandContext,
  seqText: string | undefined,
  opts: { list?: boolean; json?: boolean; autoApprove?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  if (opts.list && seqText !== undefined)
    throw new RttError("RTT_ERR_USAGE", `rollback --list ${seqText}: --list takes no seq`, {
      hint: "`rtt rollback --list` shows the commits; `rtt rollback SEQ` restores one",
    });
  if (opts.list || seqText === undefined) {
    // A commit that kept the topology (a breaker's state journaled) is no target of its own.
    const { commits: all } = replayRecords(readWal(paths.wal).records);
    const commits = stateChanges(all, topologyKey).map((c) => {
      const edges = Object.values(asTopology(c.post).edges);
      return {
        seq: c.seq,
        txid: c.txid,
        routes: edges.map((e) => e.route),
        targets: Object.fromEntries(edges.map((e) => [e.route, e.to.saddr])),
      };
    });
    if (opts.json) writeJson(ctx, commits);
    else if (commits.length === 0) ctx.term.out.write("nothing has been applied yet\n");
    else
      ctx.term.out.write(
        `${table(
          ["SEQ", "TX", "ROUTES → TARGETS"],
          commits.map((c) => [
            String(c.seq),
            c.txid,
            Object.entries(c.targets)
              .map(([route, to]) => `${route} → ${to}`)
              .join(", ") || "(none)",
          ]),
        )}\n`,
      );
    return 0;
  }
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq <= 0)
    throw new RttError(
      "RTT_ERR_USAGE",
      `rollback ${seqText}: expected a WAL seq, a positive integer`,
      {
        hint: "`rtt rollback --list` shows the committed ones",
      },
    );
  // What the rollback will do: the live wiring against the commit's, both read before asking.
  const target = rollbackTarget(paths, seq);
  const conn = await ensurePanel(ctx, paths);
  try {
    const live = await conn.wired();
    const edits = diffTopologies(live.topology, target);
    if (edits.length === 0) {
      if (opts.json) writeJson(ctx, { changed: false, committed_seq: live.seq });
      else ctx.term.out.write(`No changes. The wired routes are those of commit ${seq}.\n`);
      return 0;
    }
    if (!opts.json) printRollback(ctx.term.out, edits, seq, live.seq);
    if (
      !opts.autoApprove &&
      !(await approvedAtTerminal(
        ctx,
        "rollback",
        "pass --auto-approve to roll back without asking",
      ))
    ) {
      ctx.term.out.write("Rollback cancelled.\n");
      return 1;
    }
    const r = await conn.rollback(seq, currentWho());
    const ok = r.batches.every((b) => b.outcome === "committed");
    if (opts.json) writeJson(ctx, r);
    else {
      for (const b of r.batches)
        if (b.outcome !== "committed")
          ctx.term.out.write(`batch ${b.routes.join(", ")} ${b.outcome}: ${b.error_message}\n`);
      ctx.term.out.write(
        ok
          ? `\nRolled back to commit ${seq}: ${r.created} added, ${r.replaced} changed, ${r.deleted} destroyed (now at commit ${r.committed_seq}).\n`
          : "Rollback failed; the batches above kept their wiring.\n",
      );
    }
    return ok ? 0 : 1;
  } finally {
    conn.close();
  }
}

/** The topology WAL commit `seq` left, as the panel will restore it. */
function rollbackTarget(paths: WorkspacePaths, seq: number): Topology {
  const { commits } = replayRecords(readWal(paths.wal).records);
  const hit = commits.find((c) => c.seq === seq);
  if (hit === undefined)
    throw new RttError("RTT_ERR_WAL_STATE", `no commit with seq ${seq} in the WAL`, {
      hint:
        commits.length > 0
          ? `committed seqs: ${commits
              .slice(-10)
              .map((c) => c.seq)
              .join(", ")}; \`rtt rollback --list\` shows them`
          : "nothing has been committed",
    });
  return asTopology(hit.post);
}
