/**
 * Preloaded with `node --import` by cli-start.ts into each command it times: at exit, the
 * process's own CPU time (user + system, since it started) goes to $RTT_BENCH_CPU_OUT as JSON.
 * Plain JavaScript: a TypeScript preload would cost every command the type stripper's start,
 * `node -e 0` included, and blur the very ratio measured.
 */
import { writeFileSync } from "node:fs";

const out = process.env.RTT_BENCH_CPU_OUT;
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  if (out !== undefined) writeFileSync(out, JSON.stringify({ cpuMs: (user + system) / 1000 }));
});
