/**
 * `rtt plan` (docs/design.md §The life of a route: plan): what `rtt apply` would change,
 * Terraform-style. The panel computes the plan (a pure function of the workspace's files and the
 * WAL's last commit); this file only reads, prints and, with `--out`, saves it. It never wires
 * anything.
 *
 * Exit: 0 ok (with --detailed-exitcode: 0 no changes, 2 changes), 1 an input file is invalid
 * or a route cannot be wired (the plan is then refused by apply and is not saved).
 */
import { resolve } from "node:path";
import { type CatalogSymbol, escapeControl, type SymbolSource } from "@rtt/core";
import {
  committedTopology,
  drainMsOf,
  type Edge,
  type EdgeEnd,
  type Edit,
  inPlaceMoves,
  loadPlanInputs,
  makePlan,
  type Plan,
  type PlannedRoute,
  planProblems,
  reattachable,
  writeFileAtomic,
} from "@rtt/panel";
import { count, type OutputStream, paint } from "../output.ts";
import { type CommandContext, reportDiagnostics, workspaceOf, writeJson } from "./context.ts";

export interface PlanOptions {
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  readonly json?: boolean;
}

/** The symbol each action is shown with, and its colour (the enum value is what people see). */
const MARK = {
  create: { sign: "+", style: "green" },
  delete: { sign: "-", style: "red" },
  replace: { sign: "~", style: "yellow" },
} as const;

/** After the diagnostics of a plan's bad inputs: what happens next (scan reads the manifests). */
export const NOTHING_PLANNED =
  "rtt: nothing was planned; fix the files above, then run `rtt scan` (after a manifest) and plan again";

export function planCommand(ctx: CommandContext, opts: PlanOptions): number {
  const paths = workspaceOf(ctx);
  const loaded = loadPlanInputs(paths);
  if (!loaded.ok) {
    reportDiagnostics(ctx, loaded.diagnostics, opts.json, {
      red: true,
      message: () => "the plan's inputs are invalid; nothing was planned",
    });
    if (!opts.json) ctx.term.err.write(`${NOTHING_PLANNED}\n`);
    return 1;
  }
  const observed = committedTopology(paths);
  const plan = makePlan(loaded.inputs, observed.topology, observed.seq);
  const problems = planProblems(plan);

  if (opts.json) writeJson(ctx, plan);
  else printPlan(ctx.term.out, plan, loaded.inputs.catalog);

  if (problems.length > 0) {
    if (!opts.json) {
      ctx.term.err.write(
        `${paint(ctx.term.err, "red", `rtt: ${count(problems.length, "route")} cannot be wired; fix routes.json, policy.json or the manifests and plan again`)}\n`,
      );
      if (opts.out !== undefined) ctx.term.err.write(`  the plan was not saved to ${opts.out}\n`);
    }
    return 1;
  }
  if (opts.out !== undefined) {
    writeFileAtomic(resolve(ctx.cwd, opts.out), `${JSON.stringify(plan, null, 2)}\n`);
    if (!opts.json) {
      ctx.term.out.write(`\nSaved the plan to ${opts.out}; apply it with: rtt apply ${opts.out}\n`);
    }
  }
  return opts.detailedExitcode === true && plan.edits.length > 0 ? 2 : 0;
}

/**
 * Prints the plan. `catalog`, when given, names the ends no manifest declares: an indexer found
 * them (ADR 0026), and the person approving should see where before anything runs.
 */
export function printPlan(
  out: OutputStream,
  plan: Plan,
  catalog: readonly CatalogSymbol[] = [],
): void {
  const byId = new Map(plan.routes.map((r) => [r.id, r]));
  const discovered = new Map(
    catalog.filter((s) => s.source.scanner !== "manifest").map((s) => [s.saddr, s.source]),
  );
  const base =
    plan.base_seq === 0 ? "nothing applied yet" : `the wiring of WAL commit ${plan.base_seq}`;
  const problems = plan.routes.filter((r) => r.problem !== undefined);
  if (plan.edits.length > 0) {
    out.write(`RTT will make these changes to the wired routes (against ${base}):\n`);
    out.write(legend(out));
    const inPlace = inPlaceMoves(plan.edits, plan.batches);
    for (const edit of plan.edits)
      out.write(
        `\n${formatEdit(out, edit, byId.get(edit.route), inPlace.has(edit.route), discovered)}`,
      );
  }
  for (const r of problems) {
    out.write(`\n${paint(out, "red", `! route ${r.id}: cannot be wired`)}\n`);
    out.write(`    ${r.from ?? "?"} → ${r.to ?? "?"}\n`);
    out.write(`    ${paint(out, "red", `error: ${r.problem ?? ""}`)}\n`);
    out.write(reasonLines(out, r));
    out.write(candidateLines(out, r.candidates));
  }
  const edited = new Set(plan.edits.map((e) => e.route));
  // An unchanged route still says who was kept out of it: a new manifest strict mode refuses
  // changes no wiring, and would otherwise go unseen.
  for (const r of plan.routes) {
    if (edited.has(r.id) || r.problem !== undefined) continue;
    const refused = r.candidates.filter((c) => c.verdict === "eliminated");
    if (refused.length === 0) continue;
    out.write(`\nroute ${r.id} (unchanged) → ${r.to ?? "?"}\n`);
    out.write(candidateLines(out, refused));
  }
  const unchanged = Object.keys(plan.desired.edges).filter((id) => !edited.has(id)).length;
  if (plan.edits.length > 0 || problems.length > 0) out.write("\n");
  if (unchanged > 0) out.write(paint(out, "dim", `${count(unchanged, "route")} unchanged.\n`));
  printDegraded(out, plan);
  if (plan.edits.length === 0 && problems.length === 0) {
    out.write("No changes. The wired routes match routes.json and policy.json.\n");
    return;
  }
  out.write(
    `Plan: ${tally(plan.edits)}` +
      (problems.length > 0 ? ` ${count(problems.length, "route")} in error.` : "") +
      "\n",
  );
}

/**
 * What `rtt rollback SEQ` will change, shown like a plan: the live wiring (at WAL commit
 * `baseSeq`) against commit `seq`'s.
 */
export function printRollback(
  out: OutputStream,
  edits: readonly Edit[],
  seq: number,
  baseSeq: number,
): void {
  out.write(
    `RTT will make these changes to the wired routes (from the wiring of WAL commit ${baseSeq} back to that of commit ${seq}):\n`,
  );
  out.write(legend(out));
  for (const edit of edits)
    out.write(
      `\n${formatEdit(out, edit, undefined, false, new Map(), `not wired in commit ${seq}`)}`,
    );
  out.write(`\nRollback: ${tally(edits)}\n`);
}

function legend(out: OutputStream): string {
  return paint(
    out,
    "dim",
    "  + create   - destroy   ~ replace (unwire, then wire again; a new target only: moved in place)\n",
  );
}

function tally(edits: readonly Edit[]): string {
  const n = (action: Edit["action"]) => edits.filter((e) => e.action === action).length;
  return `${n("create")} to add, ${n("replace")} to change, ${n("delete")} to destroy.`;
}

/** The routes a stub answers for now, which the plan leaves to the panel. */
export function printDegraded(out: OutputStream, plan: Plan): void {
  for (const id of plan.degraded ?? [])
    out.write(
      paint(
        out,
        "dim",
        `route ${id} is degraded: a stub answers for its target while its breaker is open; the panel restores the target when the breaker closes (apply leaves it).\n`,
      ),
    );
}

/** One edit, with its ends and why; a delete says `deleteWhy` (default: from the route's plan). */
function formatEdit(
  out: OutputStream,
  edit: Edit,
  route: PlannedRoute | undefined,
  inPlace: boolean,
  discovered: ReadonlyMap<string, SymbolSource>,
  deleteWhy = whyUnwired(route),
): string {
  const mark = MARK[edit.action];
  const edge = edit.action === "delete" ? edit.before : edit.after;
  const lines = [paint(out, mark.style, `${mark.sign} route ${edit.route}`), ...edgeLines(edge)];
  // What a create or replace will run, so the person approving it sees the programs.
  if (edit.action !== "delete")
    lines.push(
      ...launchLines("from", edge.from, discovered.get(edge.from.saddr)),
      ...launchLines("to", edge.to, discovered.get(edge.to.saddr)),
    );
  if (edit.action === "replace") {
    lines.push("    changes:");
    for (const c of edit.changes) lines.push(`      ${paint(out, "yellow", c)}`);
    if (inPlace)
      lines.push(
        "    in place: the new target is switched in at a frame boundary; the source keeps running",
      );
  }
  if (edit.action === "delete") lines.push(paint(out, "dim", `    ${deleteWhy}`));
  const why =
    route === undefined
      ? ""
      : `${reasonLines(out, route)}${candidateLines(
          out,
          route.candidates.filter((c) => c.verdict === "eliminated"),
        )}`;
  return `${lines.join("\n")}\n${why}`;
}

/** Why a wired route is to be unwired: gone from routes.json, or there and unwirable now. */
function whyUnwired(route: PlannedRoute | undefined): string {
  if (route === undefined) return "no longer in routes.json";
  return route.problem === undefined
    ? "in routes.json, but not wired by this plan"
    : `still in routes.json, but it cannot be wired now: ${route.problem}`;
}

/** One line per candidate: its address, its manifest, the step it left at and why. */
function candidateLines(out: OutputStream, candidates: PlannedRoute["candidates"]): string {
  return candidates
    .map((c) =>
      paint(
        out,
        c.verdict === "eliminated" ? "yellow" : "dim",
        `      candidate ${c.saddr} (${c.manifest}) ${c.verdict} at ${c.step}: ${c.reason}\n`,
      ),
    )
    .join("");
}

function edgeLines(edge: Edge): string[] {
  return [
    `    ${edge.from.saddr} (${edge.from.driver}) → ${edge.to.saddr} (${edge.to.driver})`,
    `    lane ${edge.lane}, ${edge.pattern}, prio ${edge.prio}` +
      (Object.keys(edge.params).length === 0 ? "" : `, params ${JSON.stringify(edge.params)}`),
  ];
}

/**
 * An end's manifest (or, for a discovered symbol, the indexer claims it came from), argv,
 * working folder and files opened, as the plan recorded them.
 */
function launchLines(which: "from" | "to", end: EdgeEnd, found?: SymbolSource): string[] {
  const launch = end.launch;
  if (launch === undefined) return [`    ${which}: (launch not recorded)`];
  const lines =
    found === undefined
      ? [`    ${which} manifest ${launch.manifest}`]
      : provenanceLines(which, found);
  if (launch.argv !== undefined)
    lines.push(`      runs ${JSON.stringify(launch.argv)} in ${launch.cwd}`);
  if (launch.path !== undefined) lines.push(`      opens ${launch.path}`);
  if (launch.url !== undefined) lines.push(`      reaches ${launch.url}`);
  if (launch.extra !== undefined) lines.push(`      with ${JSON.stringify(launch.extra)}`);
  // How a program at the target end is retired after a move (ADR 0024).
  if (which === "to" && launch.argv !== undefined)
    lines.push(
      `      retired: EOF, ${drainMsOf(end)} ms to finish (x-drain-ms), then TERM; ${reattachable(end) ? "kept as a warm spare (x-reattach)" : "no warm spare (no x-reattach)"}`,
    );
  return lines;
}

/** `discovered by indexer:NAME at FILE:LINE` for each claim a discovered end was merged from. */
function provenanceLines(which: "from" | "to", found: SymbolSource): string[] {
  const claims = found.provenance ?? [
    { indexer: found.scanner.replace(/^indexer:/, ""), file: found.file, line: found.line ?? 1 },
  ];
  return [
    `    ${which} no manifest (score ${found.score}; \`rtt adopt\` writes one)`,
    ...claims.map(
      (p) => `      discovered by indexer:${p.indexer} at ${escapeControl(p.file)}:${p.line}`,
    ),
  ];
}

function reasonLines(out: OutputStream, route: PlannedRoute): string {
  return route.reasons.map((r) => paint(out, "dim", `      ${r}\n`)).join("");
}
