/**
 * The rust-attrs indexer on a fixture tree: `#[rtt::hook]` functions with their exact claims,
 * namespaced by the nearest crate; the attribute in comments, doc comments, strings, on a
 * struct, or under cargo's target/ claims nothing.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { validateDocument } from "@rtt/core";
import { RUST_ATTRS_SCORE, rustAttrsIndexer } from "./rust-attrs.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-rust-attrs-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, lines: readonly string[]): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, ".."), { recursive: true });
  writeFileSync(abs, `${lines.join("\n")}\n`);
}

put("Cargo.toml", ["[workspace]", 'members = ["crates/*"]']);
put("crates/hooks/Cargo.toml", ["[package]", 'name = "my_hooks"', 'version = "0.3.0"']);
put("crates/hooks/src/lib.rs", [
  "/// Use it as `#[rtt::hook]` on a function.",
  "#[rtt::hook]",
  "pub fn on_start() {}",
  "",
  '#[rtt::hook(name = "stop-it")]',
  "#[inline]",
  "// between the attributes and the fn",
  "async fn on_stop() {}",
  "",
  "// #[rtt::hook]",
  "// fn commented() {}",
  "/* #[rtt::hook] fn in_block() {} */",
  'const S: &str = "#[rtt::hook] fn in_string() {}";',
  "",
  "#[rtt::hook]",
  "struct NotAFunction;",
  "",
  "mod inner {",
  "    #[::rtt::hook]",
  "    fn nested() {}",
  "}",
]);
put("crates/hooks/target/debug/build/gen.rs", ["#[rtt::hook]", "fn generated() {}"]);
put("tools/loose.rs", ["#[rtt::hook]", "fn loose() {}"]);

const score = RUST_ATTRS_SCORE;
const hook = (saddr: string, file: string, line: number) => ({
  contract: { saddr, type: "hook", direction: "consumer" },
  score,
  provenance: { indexer: "rust-attrs", file, line },
});

describe("rust-attrs indexer", () => {
  it("claims #[rtt::hook] functions, exactly, and nothing that only looks like one", async () => {
    const claims = await indexTree(rustAttrsIndexer, root);
    for (const { contract } of claims) {
      const manifest = JSON.stringify({ $schema: "https://rtt/spec/v1", symbol: contract });
      assert.equal(validateDocument("manifest", manifest, contract.saddr).ok, true, contract.saddr);
    }
    assert.deepEqual(claims, [
      hook("rtt://my_hooks/hook/nested@0.3.0", "crates/hooks/src/lib.rs", 19),
      hook("rtt://my_hooks/hook/on_start@0.3.0", "crates/hooks/src/lib.rs", 2),
      hook("rtt://my_hooks/hook/stop-it@0.3.0", "crates/hooks/src/lib.rs", 5),
      hook("rtt://tools/hook/loose@0.0.0", "tools/loose.rs", 1),
    ]);
  });
});
