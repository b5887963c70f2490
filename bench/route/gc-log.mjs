/**
 * bench:route --gc: preloaded (`node --import`) into a route's panel and drivers, it appends each
 * garbage collection of the process to `gc-<pid>.log` beside itself — a copy in the workspace,
 * which every sandbox level lets a driver read and write — one line each: the wall-clock ms it
 * started at, its kind, its pause in ms. run.ts counts them per job. Plain JavaScript, like
 * ../control/cpu-at-exit.mjs: loaded into processes of any checkout (--baseline) as it is.
 */
import { appendFileSync } from "node:fs";
import { constants, PerformanceObserver, performance } from "node:perf_hooks";

const file = new URL(`gc-${process.pid}.log`, import.meta.url);
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak",
};
let pending = "";
const flush = () => {
  if (pending === "") return;
  try {
    appendFileSync(file, pending);
  } catch {
    // A process that cannot write here (its sandbox) is left out of the count, not stopped.
  }
  pending = "";
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const start = Math.round(performance.timeOrigin + e.startTime);
    pending += `${start} ${KINDS[e.detail?.kind] ?? "other"} ${e.duration.toFixed(3)}\n`;
  }
}).observe({ entryTypes: ["gc"] });
setInterval(flush, 250).unref();
process.on("exit", flush);
