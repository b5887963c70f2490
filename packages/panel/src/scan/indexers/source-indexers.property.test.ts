/**
 * The parser-based indexers as matchers: in any mix of real decorators and look-alikes in
 * comments, strings and docstrings, the python-source claims are exactly the real ones at their
 * lines; and no text, however hostile, makes any of the three indexers throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { JsonValue } from "@rtt/core";
import fc from "fast-check";
import type { Indexer, IndexInput } from "./indexer.ts";
import { jsRoutesIndexer } from "./js-routes.ts";
import { pythonSourceIndexer } from "./python-source.ts";
import { rustAttrsIndexer } from "./rust-attrs.ts";

/** An in-memory input: the indexers read only `text()` (and names) for source files. */
function inputOf(rel: string, text: string): IndexInput {
  const name = rel.slice(rel.lastIndexOf("/") + 1);
  return {
    rel,
    abs: `/workspace/${rel}`,
    name,
    kind: "file",
    mode: 0o100644,
    size: Buffer.byteLength(text),
    head: (bytes = 1024) => Buffer.from(text).subarray(0, bytes),
    text: () => text,
  };
}

async function claims<F extends JsonValue>(indexer: Indexer<F>, rel: string, text: string) {
  const facts = await indexer.read(inputOf(rel, text));
  return indexer.discover(facts.length === 0 ? [] : [{ rel, facts }]);
}

type Block =
  | { real: true; kind: "spec" | "route"; name: string }
  | { real: false; kind: "comment" | "string" | "docstring"; name: string };

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).map((s) => `h_${s}`);
const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({
    real: fc.constant(true as const),
    kind: fc.constantFrom("spec" as const, "route" as const),
    name: identifier,
  }),
  fc.record({
    real: fc.constant(false as const),
    kind: fc.constantFrom("comment" as const, "string" as const, "docstring" as const),
    name: identifier,
  }),
);

function linesOf(b: Block): string[] {
  if (b.real && b.kind === "spec") return ["@hookspec", `def ${b.name}():`, "    pass"];
  if (b.real) return [`@app.get("/${b.name}")`, `def ${b.name}():`, "    pass"];
  if (b.kind === "comment") return [`# @hookspec`, `# def ${b.name}(): pass`];
  if (b.kind === "string") return [`${b.name} = '@app.get("/${b.name}")'`];
  return ['"""', "@hookspec", `def ${b.name}(): pass`, '"""'];
}

describe("source indexers as matchers", () => {
  it("python-source claims exactly the real decorators, at their lines", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(block, { maxLength: 12 }), async (blocks) => {
        const lines = ["from fastapi import FastAPI", "app = FastAPI()"];
        const specs: { name: string; line: number }[] = [];
        const routes: { path: string; line: number }[] = [];
        for (const b of blocks) {
          if (b.real && b.kind === "spec") specs.push({ name: b.name, line: lines.length + 1 });
          if (b.real && b.kind === "route")
            routes.push({ path: `/${b.name}`, line: lines.length + 1 });
          lines.push(...linesOf(b), "");
        }
        const found = await claims(pythonSourceIndexer, "svc/mod.py", lines.join("\n"));
        const hooks = found.filter((c) => c.contract.type === "hook");
        assert.deepEqual(
          hooks.map((c) => [c.contract.saddr, c.provenance.line]),
          specs.map((s) => [`rtt://svc/hook/${s.name}@0.0.0`, s.line]),
        );
        const apis = found.filter((c) => c.contract.type === "api");
        if (routes.length === 0) {
          assert.deepEqual(apis, []);
          return;
        }
        assert.equal(apis.length, 1);
        assert.equal(apis[0]?.provenance.line, routes[0]?.line);
        const expected = [...new Set(routes.map((r) => r.path))].map((path) => ({
          method: "GET",
          path,
        }));
        assert.deepEqual(apis[0]?.contract["x-paths"], expected);
      }),
      { numRuns: 60 },
    );
  });

  it("no text makes an indexer throw", async () => {
    const cases: [Indexer<JsonValue>, string, string][] = [
      [pythonSourceIndexer as Indexer<JsonValue>, "a/x.py", "@hookimpl\n"],
      [jsRoutesIndexer as Indexer<JsonValue>, "a/x.ts", "const app = express();\n"],
      [rustAttrsIndexer as Indexer<JsonValue>, "a/x.rs", "#[rtt::hook]\n"],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 100 })),
        async ([indexer, rel, signal], noise) => {
          const found = await claims(indexer, rel, signal + noise);
          for (const claim of found) assert.match(claim.contract.saddr, /^rtt:\/\//);
        },
      ),
      { numRuns: 150 },
    );
  });
});
