/**
 * bench/control/cli-start — how long `rtt panel status` and `rtt ls routes` take as whole
 * processes, against a bare `node -e 0` (issue 20: within 2 × of it), on a temp copy of the
 * quickstart wired by a panel in the background. Each command runs ROUNDS times, all of them
 * alternated round by round, with this Node; per command: the median wall time and the median
 * CPU time (user + system, which a shared machine disturbs far less), each also as a multiple
 * of `node -e 0`'s. The CPU time is what the process itself reports at exit (cpu-at-exit.mjs,
 * preloaded into every command alike, `node -e 0` included).
 *
 * --baseline CHECKOUT runs another clone's bin (npm ci done there) in the same rounds, against
 * the same panel: before and after in one sitting. The last line of stdout is one JSON object.
 * Usage: node bench/control/cli-start.ts [--rounds 20] [--baseline CHECKOUT] [--keep]
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { copyQuickstartTo } from "../../test/support/quickstart.ts";
import { mustRtt, quantile, RTT_BIN, round, runProgram } from "./common.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "20" },
    baseline: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("--rounds takes a whole number ≥ 1");
const CPU_AT_EXIT = new URL("./cpu-at-exit.mjs", import.meta.url).pathname;
const log = (line: string) => process.stderr.write(`${line}\n`);

const ws = copyQuickstartTo(realpathSync(mkdtempSync(join(tmpdir(), "rtt-bench-cli-"))));
const scratch = realpathSync(mkdtempSync(join(tmpdir(), "rtt-bench-cli-cpu-")));
await mustRtt(ws, ["scan"]);
await mustRtt(ws, ["apply", "--auto-approve"]);

const bins: [string, string][] = [["", RTT_BIN]];
if (values.baseline !== undefined)
  bins.push(["base ", join(resolve(values.baseline), "packages", "cli", "bin", "rtt.js")]);
const commands: [string, string[]][] = [["node -e 0", ["-e", "0"]]];
for (const [tag, bin] of bins)
  for (const words of [
    ["panel", "status"],
    ["ls", "routes"],
  ])
    commands.push([`${tag}rtt ${words.join(" ")}`, [bin, "-C", ws, ...words]]);

const wall = new Map<string, number[]>(commands.map(([name]) => [name, []]));
const cpu = new Map<string, number[]>(commands.map(([name]) => [name, []]));
try {
  for (let i = 0; i < ROUNDS; i++)
    for (const [name, args] of commands) {
      const out = join(scratch, "cpu.json");
      rmSync(out, { force: true });
      const t0 = performance.now();
      const r = await runProgram(process.execPath, ["--import", CPU_AT_EXIT, ...args], ws, 60_000, {
        RTT_BENCH_CPU_OUT: out,
      });
      wall.get(name)?.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`${name} exited ${r.code}:\n${r.stderr}`);
      cpu.get(name)?.push(JSON.parse(readFileSync(out, "utf8")).cpuMs as number);
    }
} finally {
  await mustRtt(ws, ["panel", "stop"]);
  if (!values.keep) rmSync(ws, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}

const median = (xs: readonly number[]) => round(quantile(xs, 0.5));
const nodeWall = median(wall.get("node -e 0") ?? []);
const nodeCpu = median(cpu.get("node -e 0") ?? []);
const result: Record<string, unknown> = {
  rounds: ROUNDS,
  loadavg: loadavg().map((l) => round(l, 2)),
};
for (const [name] of commands) {
  const w = median(wall.get(name) ?? []);
  const c = median(cpu.get(name) ?? []);
  log(
    `${name.padEnd(26)} wall ${String(w).padStart(6)} ms (× ${round(w / nodeWall, 2)})   cpu ${String(c).padStart(6)} ms (× ${round(c / nodeCpu, 2)})`,
  );
  result[name] = {
    wall_ms: w,
    cpu_ms: c,
    wall_x: round(w / nodeWall, 2),
    cpu_x: round(c / nodeCpu, 2),
  };
}
log(`load average ${result.loadavg}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
