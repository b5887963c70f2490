/**
 * bench/plan — `makePlan` (the whole of `rtt plan` but the file reads) on synthetic workspaces
 * of 100, 1,000 and 10,000 routes, against two peers timed in the same run on the same inputs:
 *
 *   resolve   `resolveRoutes`, what `rtt ls routes` does: every route end resolved against the
 *             catalog (bucketed by name, as the plan does), no policy, compat, tie-break or diff.
 *   json      JSON.stringify + JSON.parse of the inputs: the cost of merely reading them.
 *
 * The workspace for N routes is `syntheticWorkspace` (packages/panel/src/plan/synthetic-workspace.ts):
 * N consumers, N/2 providers as N/6 names in 3 versions, each route's target with 3 candidates
 * of which the consumer's version set admits one (until issue 20 the bench's consumers took all
 * three, which the router refuses as a tie since issue 14: nearly no route was wired); a tenth
 * with a failover list; a policy of allow, deny, pin and QoS rules; an observed graph that
 * differs by creates, replaces and deletes.
 *
 * `plan_N_ms` is the plan as a command makes it: `rtt plan`, `rtt apply` and the daemon's plan
 * check read the files again each time (`loadPlanInputs`), so every plan they make is of objects
 * no cache has seen. It is the median over plans of a JSON copy of the inputs each (copied
 * outside the timing; the JIT warm, as in a running panel), and `plan_N_cpu_ms` the same plans'
 * CPU time (process user + system: on a shared machine wall time is mostly waiting for a core).
 * `plan_N_first_ms` is the first such plan in the process, as a one-shot `rtt plan` pays, and
 * `plan_N_warm_ms` the median over plans of the same input objects (per-object caches warm: no
 * command plans that way).
 *
 * With --baseline CHECKOUT (a worktree with its own node_modules), the same fresh plans are made
 * by that checkout's `makePlan` too, alternating with this one's, plan for plan, and its plan is
 * checked byte for byte against this one's: `base_plan_N_ms`, `base_plan_N_cpu_ms`.
 *
 * Apply: 1,000 routes created from nothing by the reconciler (WAL with fsync, audit, QuickConnect
 * handshake, two-phase commit) over in-process drivers and in-proc lanes, against the same
 * drivers wired directly ("bare": open, open, offer, bind per route).
 *
 * Median of RUNS each. Progress on stderr; the last line of stdout is one JSON object.
 * Usage: npm run bench:plan [-- --runs R] [--sizes 100,1000] [--baseline CHECKOUT] [--no-apply]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type CatalogSymbol, type Contract, type RouteSpec, symbolFromContract } from "@rtt/core";
import {
  AuditLedger,
  contractForDriver,
  diffTopologies,
  MemoryPool,
  makePlan,
  NOT_STRICT,
  type PlanInputs,
  Reconciler,
  resolveRoutes,
  Wal,
} from "@rtt/panel";
import { syntheticWorkspace } from "../../packages/panel/src/plan/synthetic-workspace.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    sizes: { type: "string", default: "100,1000,10000" },
    baseline: { type: "string" },
    apply: { type: "boolean", default: true },
  },
  allowNegative: true,
});
const RUNS = Number(values.runs);
const SIZES = values.sizes.split(",").map(Number);

const source = { file: "rtt.manifest.json", scanner: "manifest", score: 1 } as const;
const sym = (c: Record<string, unknown>): CatalogSymbol =>
  symbolFromContract(c as unknown as Contract, source);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function timeMs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Wall and CPU (user + system, all threads: GC helpers count) milliseconds of `fn`. */
function timeBoth<T>(fn: () => T): { wall: number; cpu: number; out: T } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000, out };
}

/** The baseline checkout's planner (its own modules and caches), or undefined without --baseline. */
const baseMakePlan: typeof makePlan | undefined =
  values.baseline === undefined
    ? undefined
    : (
        (await import(resolve(values.baseline, "packages/panel/src/index.ts"))) as {
          makePlan: typeof makePlan;
        }
      ).makePlan;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const result: Record<string, unknown> = { bench: "plan", runs: RUNS, node: process.version };

for (const n of SIZES) {
  const { inputs, observed } = syntheticWorkspace(n);
  // Half the runs at the big size (3 by default), but never fewer than 3.
  const runs = n >= 10_000 ? Math.max(3, Math.floor(RUNS / 2)) : RUNS;
  // The first plan of objects no plan has seen (a JSON copy: what `rtt plan` reads from disk);
  // the per-string caches (addresses, globs, ranges) are warm from building the observed graph.
  const fresh = JSON.parse(JSON.stringify({ inputs, observed }));
  const firstMs = timeMs(() => makePlan(fresh.inputs, fresh.observed, 1));
  const plan = makePlan(inputs, observed, 1);
  const counts = { create: 0, replace: 0, delete: 0 };
  for (const e of plan.edits) counts[e.action]++;
  const wired = Object.keys(plan.desired.edges).length;
  process.stderr.write(
    `plan ${n} routes: ${inputs.catalog.length} symbols, ${wired} wired, edits ${JSON.stringify(counts)}, ${plan.batches.length} batches; ${runs} runs…\n`,
  );
  const samples = {
    warm: [] as number[],
    fresh: [] as number[],
    cpu: [] as number[],
    base: [] as number[],
    baseCpu: [] as number[],
    resolve: [] as number[],
    json: [] as number[],
  };
  const freshCopy = () => JSON.parse(JSON.stringify({ inputs, observed }));
  for (let r = 0; r < runs; r++) {
    samples.warm.push(timeMs(() => makePlan(inputs, observed, 1)));
    // Head and baseline alternate, each first in every other round; each plans a copy of its own.
    const order = r % 2 === 0 ? ["head", "base"] : ["base", "head"];
    const plans: Record<string, string> = {};
    for (const which of order) {
      const planner = which === "head" ? makePlan : baseMakePlan;
      if (planner === undefined) continue;
      const copy = freshCopy();
      const t = timeBoth(() => planner(copy.inputs, copy.observed, 1));
      (which === "head" ? samples.fresh : samples.base).push(t.wall);
      (which === "head" ? samples.cpu : samples.baseCpu).push(t.cpu);
      plans[which] = JSON.stringify(t.out);
    }
    if (plans.base !== undefined && plans.base !== plans.head)
      throw new Error(`the baseline's plan of ${n} routes differs from this checkout's`);
    samples.resolve.push(timeMs(() => resolveRoutes(inputs.routes, inputs.catalog)));
    samples.json.push(timeMs(() => JSON.parse(JSON.stringify({ ...inputs, observed }))));
  }
  // The diff alone, to show where the plan's time is not.
  const diffMs = median(
    Array.from({ length: runs }, () => timeMs(() => diffTopologies(observed, plan.desired))),
  );
  const warmMs = median(samples.warm);
  const freshMs = median(samples.fresh);
  const resolveMs = median(samples.resolve);
  const jsonMs = median(samples.json);
  process.stderr.write(
    `  plan ${round(freshMs)} ms (cpu ${round(median(samples.cpu))} ms; same objects ${round(warmMs)} ms, first ${round(firstMs)} ms), resolve-only ${round(resolveMs)} ms, json ${round(jsonMs)} ms (plan is ×${round(freshMs / jsonMs)} of it), diff ${round(diffMs)} ms\n`,
  );
  result[`plan_${n}_ms`] = round(freshMs);
  result[`plan_${n}_cpu_ms`] = round(median(samples.cpu));
  result[`plan_${n}_first_ms`] = round(firstMs);
  result[`plan_${n}_warm_ms`] = round(warmMs);
  if (baseMakePlan !== undefined) {
    result[`base_plan_${n}_ms`] = round(median(samples.base));
    result[`base_plan_${n}_cpu_ms`] = round(median(samples.baseCpu));
    process.stderr.write(
      `  baseline plan ${round(median(samples.base))} ms (cpu ${round(median(samples.baseCpu))} ms), byte-identical\n`,
    );
  }
  result[`resolve_${n}_ms`] = round(resolveMs);
  result[`json_${n}_ms`] = round(jsonMs);
  result[`diff_${n}_ms`] = round(diffMs, 3);
  result[`plan_vs_json_${n}`] = round(freshMs / jsonMs, 1);
  result[`plan_warm_vs_json_${n}`] = round(warmMs / jsonMs, 1);
  result[`edits_${n}`] = plan.edits.length;
}
// Apply: 1,000 routes created from nothing through the real reconciler (WAL, audit, QuickConnect
// handshake, two-phase commit) over in-process drivers and in-proc lanes, against the peer of the
// same drivers wired directly (open, open, offer, bind per route: no WAL, no handshake, no 2PC).
const APPLY_ROUTES = 1000;
if (values.apply) {
  const applyRuns = Math.max(1, Math.min(RUNS, 3));
  const ends = (i: number) => ({
    from: sym({
      saddr: `rtt://a/bus/src${i}@1.0.0`,
      type: "bus",
      direction: "provider",
      io: "stream",
      capabilities: ["inproc"],
      "x-driver": `m${i % 3}`,
    }),
    to: sym({
      saddr: `rtt://a/extension/dst${i}@1.0.0`,
      type: "extension",
      direction: "consumer",
      io: "stream",
      capabilities: ["inproc"],
      "x-driver": `m${(i + 1) % 3}`,
    }),
  });
  const pairs = Array.from({ length: APPLY_ROUTES }, (_, i) => ends(i));
  const catalog = pairs.flatMap((p) => [p.from, p.to]);
  const routes: RouteSpec[] = pairs.map((p, i) => ({
    id: `r${i}`,
    from: p.from.saddr.replace(/@.*/, ""),
    to: p.to.saddr.replace(/@.*/, ""),
  }));
  const inputs: PlanInputs = {
    catalog,
    routes,
    policy: {},
    prefer: ["inproc"],
    security: NOT_STRICT,
  };
  const pool = new MemoryPool();
  const samples = { apply: [] as number[], bare: [] as number[] };
  for (let r = 0; r < applyRuns; r++) {
    const dir = mkdtempSync(join(tmpdir(), "rtt-bench-apply-"));
    const wal = Wal.open({ dir: join(dir, "wal") });
    const reconciler = new Reconciler({
      wal,
      audit: new AuditLedger(join(dir, "audit.ndjson")),
      pool,
      root: dir,
    });
    const plan = makePlan(inputs, reconciler.graph, 0);
    const meta = { who: "bench", why: "bench" };
    const t0 = performance.now();
    const applied = await reconciler.apply(plan, catalog, meta);
    samples.apply.push(performance.now() - t0);
    if (applied.created !== APPLY_ROUTES) throw new Error(`applied ${applied.created} routes`);
    await reconciler.apply(makePlan({ ...inputs, routes: [] }, reconciler.graph, 0), catalog, meta);
    wal.close();
    rmSync(dir, { recursive: true, force: true });

    const t1 = performance.now();
    const opened: { driver: string; link: string }[] = [];
    for (const p of pairs) {
      const [a, b] = [p.from, p.to].map((s) => String(s.extensions?.["x-driver"]));
      const from = await pool.get(a as string);
      const to = await pool.get(b as string);
      const fromLink = await from.open(p.from.saddr, {
        contract: contractForDriver(p.from, dir),
        params: {},
      });
      const toLink = await to.open(p.to.saddr, {
        contract: contractForDriver(p.to, dir),
        params: {},
      });
      const address = await to.offer(toLink, "inbound", "inproc");
      await from.bind(fromLink, { outbound: address });
      opened.push({ driver: a as string, link: fromLink }, { driver: b as string, link: toLink });
    }
    samples.bare.push(performance.now() - t1);
    for (const l of opened) await (await pool.get(l.driver)).close(l.link);
    process.stderr.write(
      `apply ${APPLY_ROUTES} routes, run ${r + 1}: ${round(samples.apply.at(-1) ?? 0)} ms; bare wiring ${round(samples.bare.at(-1) ?? 0)} ms\n`,
    );
  }
  await pool.close();
  const applyMs = median(samples.apply);
  const bareMs = median(samples.bare);
  result.apply_1000_ms = round(applyMs);
  result.bare_wiring_1000_ms = round(bareMs);
  result.apply_vs_bare_1000 = round(applyMs / bareMs, 2);
}
result.peers = {
  resolve: "resolveRoutes (what `rtt ls routes` does), same inputs, same process",
  json: "JSON.stringify + JSON.parse of the same inputs",
  bare: "the same in-process drivers wired directly per route (open, open, offer, bind): no WAL, audit, handshake or two-phase commit",
};
process.stdout.write(`${JSON.stringify(result)}\n`);
