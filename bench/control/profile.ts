/**
 * Where a V8 CPU profile's time goes: self time by function (file:line function) and by file,
 * as shares of the profile's busy (non-idle) time, plus the inclusive time of functions whose
 * name matches --focus. For the panel's profile from `npm run bench:control -- --prof-dir DIR`.
 * Usage: node bench/control/profile.ts FILE.cpuprofile [--top 25] [--focus quickConnect,Status]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" }, focus: { type: "string", default: "" } },
});
const file = positionals[0];
if (file === undefined) throw new Error("usage: profile.ts FILE.cpuprofile");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const short = (url: string): string =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "npm:")
    .replace(/^.*\/packages\//, "");
const label = (f: Frame): string =>
  `${short(f.url) || "(native)"}:${f.lineNumber + 1} ${f.functionName || "(anonymous)"}`;

const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
let total = 0;
let idle = 0;
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const focus = values.focus.split(",").filter((s) => s !== "");
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (node === undefined) continue;
  const name = node.callFrame.functionName;
  if (name === "(idle)" || name === "(program)") {
    if (name === "(idle)") idle += us;
    else total += us;
    if (name === "(idle)") continue;
  } else total += us;
  const fn = label(node.callFrame);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const f = short(node.callFrame.url) || `(${name})`;
  byFile.set(f, (byFile.get(f) ?? 0) + us);
  // Inclusive: charge every distinct focused frame on this sample's stack once.
  const seen = new Set<string>();
  for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) {
    const frame = byId.get(p)?.callFrame;
    if (frame === undefined) break;
    for (const want of focus)
      if (label(frame).includes(want)) {
        const key = label(frame);
        if (!seen.has(key)) {
          seen.add(key);
          inclusive.set(key, (inclusive.get(key) ?? 0) + us);
        }
      }
  }
}
const top = Number(values.top);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
process.stdout.write(
  `busy ${ms(total)} (idle ${ms(idle)}), ${profile.samples.length} samples\n\nself time by function:\n`,
);
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
process.stdout.write("\nself time by file:\n");
for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
if (focus.length > 0) {
  process.stdout.write("\ninclusive time of focused functions:\n");
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`${pct(v)} ${ms(v)}  ${k}\n`);
}
