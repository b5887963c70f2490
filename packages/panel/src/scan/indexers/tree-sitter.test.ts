/**
 * The parser runtime loads lazily: the indexers run over a tree with no candidate source never
 * import web-tree-sitter (a scan without such files pays nothing), and one candidate loads it.
 * Each case runs in a fresh process whose module hooks record what gets resolved.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = mkdtempSync(join(tmpdir(), "rtt-tree-sitter-lazy-"));
after(() => rmSync(root, { recursive: true, force: true }));

const REGISTRY = new URL("./registry.ts", import.meta.url).href;
const TESTING = new URL("./testing.ts", import.meta.url).href;

/** Whether indexing `tree` with every registered indexer resolved web-tree-sitter. */
function loadsRuntime(tree: string): boolean {
  const script = `
import { registerHooks } from "node:module";
let loaded = false;
registerHooks({ resolve(spec, ctx, next) { if (spec === "web-tree-sitter") loaded = true; return next(spec, ctx); } });
const { INDEXERS } = await import(${JSON.stringify(REGISTRY)});
const { indexTree } = await import(${JSON.stringify(TESTING)});
for (const indexer of INDEXERS) await indexTree(indexer, ${JSON.stringify(tree)});
console.log(JSON.stringify({ loaded }));
`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { loaded: boolean }).loaded;
}

function put(tree: string, rel: string, text: string): void {
  mkdirSync(join(tree, rel, ".."), { recursive: true });
  writeFileSync(join(tree, rel), text);
}

describe("tree-sitter runtime", () => {
  it("is never loaded for a tree whose sources carry no signal", () => {
    const tree = join(root, "plain");
    put(tree, "app/main.py", "print('hello')\n");
    put(tree, "web/index.js", "console.log(1);\n");
    put(tree, "core/src/lib.rs", "pub fn f() {}\n");
    put(tree, "core/Cargo.toml", '[package]\nname = "core"\nversion = "0.1.0"\n');
    assert.equal(loadsRuntime(tree), false);
  });

  it("is loaded once a source carries a signal", () => {
    const tree = join(root, "hooked");
    put(tree, "core/src/lib.rs", "#[rtt::hook]\npub fn f() {}\n");
    assert.equal(loadsRuntime(tree), true);
  });
});
