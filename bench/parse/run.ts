/**
 * bench/parse — what the tree-sitter source indexers cost: the time to load each grammar (the
 * first one includes the WASM runtime's init), and the time to parse and walk a 2,000-line
 * source file in each language, cold (first parse) and warm (median of RUNS).
 * Prints one JSON object. Usage: node bench/parse/run.ts [--runs R]
 */
import { parseArgs } from "node:util";
import {
  type GrammarName,
  withSyntaxTree,
} from "../../packages/panel/src/scan/indexers/tree-sitter.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "21" } } });
const RUNS = Number(values.runs);
const LINES = 2000;

/** A 2,000-line file shaped like what the indexers look for: decorated or routed code. */
function sourceOf(grammar: GrammarName): string {
  const lines: string[] = [];
  for (let i = 0; lines.length < LINES; i += 1) {
    if (grammar === "python") {
      lines.push(
        `@app.get("/items/${i}")`,
        `def item_${i}(q: int = 0):`,
        `    return {"i": ${i}, "q": q}`,
        "",
      );
    } else if (grammar === "rust") {
      lines.push("#[rtt::hook]", `pub fn hook_${i}(x: u32) -> u32 {`, `    x + ${i}`, "}");
    } else {
      lines.push(`app.get("/items/${i}", (req, res) => {`, `  res.json({ i: ${i} });`, "});", "");
    }
  }
  return `${lines.slice(0, LINES).join("\n")}\n`;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const ms = (x: number) => Math.round(x * 100) / 100;
const result: Record<string, unknown> = { lines: LINES, runs: RUNS };
for (const grammar of ["python", "javascript", "typescript", "rust"] as const) {
  let t = performance.now();
  await withSyntaxTree(grammar, "", () => undefined);
  const load = performance.now() - t;
  const text = sourceOf(grammar);
  const walk = (root: { descendantCount: number }) => root.descendantCount;
  t = performance.now();
  await withSyntaxTree(grammar, text, walk);
  const cold = performance.now() - t;
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    t = performance.now();
    await withSyntaxTree(grammar, text, walk);
    warm.push(performance.now() - t);
  }
  result[grammar] = {
    load_ms: ms(load),
    parse_cold_ms: ms(cold),
    parse_warm_ms: ms(median(warm)),
    bytes: text.length,
  };
}
console.log(JSON.stringify(result));
