/**
 * bench/plan/profile — plans the synthetic workspace of N routes R times, for a CPU profile of
 * the planner alone: `node --cpu-prof --cpu-prof-dir=DIR bench/plan/profile.ts [-- --routes N]`.
 * With --cold, each run plans a fresh copy of the inputs (what a one-shot `rtt plan` pays): the
 * phases on one copy, the whole plan on another, so no phase warms the plan's caches.
 * Prints each phase's median CPU time (inputs hash, desired graph, diff, base hash, the whole
 * plan) and the whole plan's wall time: on a loaded machine wall time is mostly waiting for a core.
 */
import { parseArgs } from "node:util";
import { desiredGraph, diffTopologies, inputsHash, makePlan, topologyHash } from "@rtt/panel";
import { syntheticWorkspace } from "../../packages/panel/src/plan/synthetic-workspace.ts";

const { values } = parseArgs({
  options: {
    routes: { type: "string", default: "10000" },
    runs: { type: "string", default: "7" },
    // Each run on a JSON copy of the inputs: objects no cache has seen, as `rtt plan` reads them.
    cold: { type: "boolean", default: false },
  },
});
const workspace = syntheticWorkspace(Number(values.routes));
const copy = () => JSON.parse(JSON.stringify(workspace)) as typeof workspace;
const phases: Record<string, number[]> = {
  hash: [],
  desired: [],
  diff: [],
  base: [],
  plan: [],
  plan_wall: [],
};
/** CPU milliseconds of `fn` (all threads: GC helpers count, as they would in `rtt plan`). */
const time = <T>(phase: string, fn: () => T): T => {
  const cpu0 = process.cpuUsage();
  const out = fn();
  const cpu = process.cpuUsage(cpu0);
  phases[phase]?.push((cpu.user + cpu.system) / 1000);
  return out;
};
for (let r = 0; r < Number(values.runs); r++) {
  const { inputs, observed } = values.cold ? copy() : workspace;
  time("hash", () => inputsHash(inputs));
  const { desired } = time("desired", () => desiredGraph(inputs));
  time("diff", () => diffTopologies(observed, desired));
  time("base", () => topologyHash(observed));
  const whole = values.cold ? copy() : workspace;
  const t0 = performance.now();
  time("plan", () => makePlan(whole.inputs, whole.observed, 1));
  phases.plan_wall?.push(performance.now() - t0);
}
for (const [phase, xs] of Object.entries(phases)) {
  const sorted = [...xs].sort((a, b) => a - b);
  process.stdout.write(
    `${phase}: median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, min ${sorted[0]?.toFixed(1)} ms\n`,
  );
}
