/**
 * `rtt apply [FILE]` (docs/design.md §The life of a route: apply): applies a saved plan — refused
 * when its inputs or the topology it was made against changed — or computes one against the running
 * panel's live topology and, on a terminal, asks before applying unless `--auto-approve`. The panel
 * is started in the background when none answers. Prints what each batch did.
 */
import { resolve } from "node:path";
import type { ApplyResultMessage } from "@rtt/connector-sdk";
import { canonicalHash, type JsonValue, RttError } from "@rtt/core";
import {
  currentWho,
  inputsHash,
  type LiveWiring,
  loadPlanInputs,
  makePlan,
  type PanelConnection,
  type Plan,
  type PlanInputs,
  readPlanFile,
  refuseUnwirable,
  topologyHash,
} from "@rtt/panel";
import { paint } from "../output.ts";
import { approvedAtTerminal } from "./approval.ts";
import { type CommandContext, reportDiagnostics, workspaceOf, writeJson } from "./context.ts";
import { ensurePanel } from "./panel.ts";
import { NOTHING_PLANNED, printDegraded, printPlan } from "./plan.ts";

/** What a plan does, without what it was made against (a WAL seq moves with breaker commits). */
const planBodyHash = (p: Plan): string =>
  canonicalHash({
    routes: p.routes,
    edits: p.edits,
    batches: p.batches,
    desired: p.desired,
    degraded: p.degraded ?? [],
  } as unknown as JsonValue);

const APPLY_HINT =
  "pass --auto-approve, or apply a reviewed plan file: rtt plan -out plan.json && rtt apply plan.json";

export interface ApplyOptions {
  readonly autoApprove?: boolean;
  readonly json?: boolean;
}

/** A plan read from a file, and the file as the user named it (messages and the audit's why say it). */
interface SavedPlan {
  readonly file: string;
  readonly plan: Plan;
}

export async function applyCommand(
  ctx: CommandContext,
  file: string | undefined,
  opts: ApplyOptions,
): Promise<number> {
  const paths = workspaceOf(ctx);
  const loaded = loadPlanInputs(paths);
  if (!loaded.ok) {
    reportDiagnostics(ctx, loaded.diagnostics, opts.json);
    if (!opts.json) ctx.term.err.write(`${NOTHING_PLANNED}\n`);
    return 1;
  }
  const saved = file === undefined ? undefined : readSavedPlan(ctx, file, loaded.inputs);
  const conn = await ensurePanel(ctx, paths);
  try {
    const wired = await conn.wired();
    const plan = planToApply(loaded.inputs, wired, saved);
    if (plan.edits.length === 0) {
      reportNoChanges(ctx, plan, wired.seq, opts);
      return 0;
    }
    if (!opts.json) printPlan(ctx.term.out, plan, loaded.inputs.catalog);
    const needsApproval = saved === undefined && !opts.autoApprove;
    if (needsApproval && !(await approvedAtTerminal(ctx, "apply", APPLY_HINT))) {
      ctx.term.out.write("Apply cancelled.\n");
      return 1;
    }
    return await applyThroughPanel(ctx, conn, plan, saved, opts);
  } finally {
    conn.close();
  }
}

/** A plan saved by `rtt plan -out FILE`, refused when the inputs it was planned from changed. */
function readSavedPlan(ctx: CommandContext, file: string, inputs: PlanInputs): SavedPlan {
  const plan = readPlanFile(resolve(ctx.cwd, file)); // relative to -C, as `plan -out` writes it
  if (plan.inputs_hash !== inputsHash(inputs))
    throw new RttError(
      "RTT_ERR_PLAN_STALE",
      `${file} was planned from other inputs: the catalog, routes.json, policy.json or panel.yaml changed since`,
      { hint: "run `rtt plan -out FILE` again and review it" },
    );
  return { file, plan };
}

/**
 * The saved plan (refused when it was edited), else a new one against the live wiring; refused
 * either way when a route cannot be wired.
 */
function planToApply(inputs: PlanInputs, wired: LiveWiring, saved: SavedPlan | undefined): Plan {
  if (saved !== undefined) refuseEditedPlan(saved, inputs, wired);
  const plan = saved?.plan ?? makePlan(inputs, wired.topology, wired.seq);
  refuseUnwirable(plan);
  return plan;
}

function refuseEditedPlan(saved: SavedPlan, inputs: PlanInputs, wired: LiveWiring): void {
  if (saved.plan.base_hash !== topologyHash(wired.topology)) return;
  // Planning is deterministic: these inputs and this topology make exactly one plan, so a
  // saved plan that is another one was edited (or damaged) after `rtt plan -out`.
  const fresh = makePlan(inputs, wired.topology, wired.seq);
  if (planBodyHash(fresh) !== planBodyHash(saved.plan))
    throw new RttError(
      "RTT_ERR_PLAN_INVALID",
      `${saved.file} is not the plan its inputs make: its routes, edits or batches were changed after \`rtt plan -out\``,
      { hint: "run `rtt plan -out FILE` again; a plan file is applied as planned, not edited" },
    );
}

function reportNoChanges(ctx: CommandContext, plan: Plan, seq: number, opts: ApplyOptions): void {
  if (opts.json) writeJson(ctx, { changed: false, committed_seq: seq });
  else {
    printDegraded(ctx.term.out, plan);
    ctx.term.out.write(
      "No changes. The wired routes match routes.json and policy.json; nothing to apply.\n",
    );
  }
}

/** Has the panel apply the plan and prints what each batch did: 0 when every batch committed. */
async function applyThroughPanel(
  ctx: CommandContext,
  conn: PanelConnection,
  plan: Plan,
  saved: SavedPlan | undefined,
  opts: ApplyOptions,
): Promise<number> {
  const result = await conn.apply(
    JSON.stringify(plan),
    currentWho(),
    saved === undefined ? "rtt apply" : `rtt apply ${saved.file}`,
  );
  if (opts.json) writeJson(ctx, result);
  else printResult(ctx, result);
  return result.batches.every((b) => b.outcome === "committed") ? 0 : 1;
}

function printResult(ctx: CommandContext, r: ApplyResultMessage): void {
  const out = ctx.term.out;
  out.write("\n");
  for (const [i, b] of r.batches.entries()) {
    const routes = b.routes.join(", ");
    if (b.outcome === "committed") {
      out.write(
        `${paint(out, "green", "✓")} batch ${i + 1} (${routes}): committed as WAL seq ${b.seq}\n`,
      );
      for (const w of b.warnings) out.write(paint(out, "yellow", `    warning: ${w}\n`));
    } else if (b.outcome === "rolled-back")
      out.write(
        `${paint(out, "red", "✗")} batch ${i + 1} (${routes}): rolled back, the old wiring stays — ${b.error_code}: ${b.error_message}\n`,
      );
    else
      out.write(
        `${paint(out, "dim", "-")} batch ${i + 1} (${routes}): skipped (an earlier batch failed)\n`,
      );
  }
  const ok = r.batches.every((b) => b.outcome === "committed");
  out.write(
    `\n${paint(out, ok ? "green" : "red", ok ? "Apply complete!" : "Apply failed.")} Routes: ${r.created} added, ${r.replaced} changed, ${r.deleted} destroyed.\n`,
  );
}
