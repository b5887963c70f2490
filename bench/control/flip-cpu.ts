/**
 * bench/control/flip-cpu.ts — the panel's own CPU on a warm flip, without the processes around
 * it: a real reconciler (WAL, audit ledger) over the in-process memory drivers, `--k` one-way
 * routes wired (the graph every WAL record used to carry), then one route flipped back and forth
 * between two targets with `quickConnect`, each one warm (the other target kept as a spare).
 * The drivers run in this process too, but their share is a few map operations; the WAL's and
 * the audit ledger's encoding and writes are the panel's. Reports CPU (user + system) per flip.
 * Usage: node bench/control/flip-cpu.ts [--k 100] [--n 2000] [--warmup 300]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { RouteSpec } from "@rtt/core";
import {
  all,
  d1,
  d2,
  FAST,
  meta,
  setUp,
} from "../../packages/panel/src/reconcile/reconciler-fixtures.ts";
import { quantile, round } from "./common.ts";

const { values } = parseArgs({
  options: {
    k: { type: "string", default: "100" },
    n: { type: "string", default: "2000" },
    warmup: { type: "string", default: "300" },
  },
});
const K = Number(values.k);
const N = Number(values.n);
const WARMUP = Number(values.warmup);

const t = setUp();
try {
  const others: RouteSpec[] = Array.from({ length: K - 1 }, (_, i) => ({
    id: `r${String(i).padStart(4, "0")}`,
    from: "rtt://t/bus/s1",
    to: "rtt://t/extension/d1",
  }));
  await t.wire([FAST, ...others], all);
  const flip = async (i: number) => {
    const r = await t.reconciler.quickConnect("f", i % 2 === 0 ? d2 : d1, "mb", meta);
    if (!r.changed) throw new Error("the flip moved nothing");
    return r.warm;
  };
  // The target moved away from drains and is armed as the spare the next flip takes: untimed.
  const settle = () => t.reconciler.retired();
  for (let i = 0; i < WARMUP; i++) {
    await flip(i);
    await settle();
  }
  const cpu: number[] = [];
  let warm = 0;
  for (let i = 0; i < N; i++) {
    const c0 = process.cpuUsage();
    if (await flip(WARMUP + i)) warm++;
    const c = process.cpuUsage(c0);
    cpu.push(c.user + c.system);
    await settle();
  }
  const total = cpu.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      bench: "flip-cpu",
      k: K,
      n: N,
      warm,
      cpu_us_per_flip: round(total / N),
      cpu_p50_us: round(quantile(cpu, 0.5)),
      cpu_p99_us: round(quantile(cpu, 0.99)),
      load: loadavg().map((l) => round(l)),
    }),
  );
} finally {
  await t.tearDown();
}
