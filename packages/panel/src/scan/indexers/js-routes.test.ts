/**
 * The js-routes indexer on a fixture tree: Express, Hono and Fastify apps with their exact
 * routes; routes in comments or strings, calls on receivers no framework made, dynamic paths,
 * declaration files and vendored packages claim nothing.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { validateDocument } from "@rtt/core";
import { wantedBy } from "../indexing.ts";
import { JS_ROUTES_SCORE, jsRoutesIndexer } from "./js-routes.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-js-routes-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, lines: readonly string[]): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, ".."), { recursive: true });
  writeFileSync(abs, `${lines.join("\n")}\n`);
}

put("api/package.json", ['{ "name": "@acme/Api", "version": "2.0.1" }']);
put("api/src/server.js", [
  'const express = require("express");',
  "const app = express();",
  "const router = express.Router();",
  "",
  'app.get("/health", (req, res) => res.send("ok"));',
  'app.route("/book").get(list).post(add);',
  'router.delete("/book/:id", remove);',
  'app.use("/api", router);',
  'app.get("env");',
  '// app.get("/commented", h);',
  "const s = 'app.get(\"/in-string\")';",
  'client.get("/not-an-app");',
  "app.listen(3000);",
]);
put("web/index.ts", [
  'import { Hono } from "hono";',
  'import Fastify from "fastify";',
  "",
  "const h = new Hono<{ Bindings: Env }>();",
  'h.get(`/t`, (c) => c.text("t")).post("/p", (c) => c.text("p"));',
  // A path with a substitution is not a literal: no route.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's own template literal
  "h.get(`/dyn/${x}`, f);",
  "",
  "const server = Fastify({ logger: true });",
  'server.route({ method: ["GET", "POST"], url: "/r", handler });',
  'server.put("/u", handler);',
  "",
  "export default h;",
]);
put("web/types.d.ts", ['declare const app: import("express").Express;', 'app.get("/x");']);
put("lib/comments.mjs", [
  "// express",
  "/* const app = express();",
  '   app.get("/x", h); */',
  "const text = \"const app = express(); app.get('/y', h)\";",
]);

const score = JS_ROUTES_SCORE;
const at = (file: string, line: number) => ({ indexer: "js-routes", file, line });
const api = { type: "api", direction: "provider", io: "req" } as const;

describe("js-routes indexer", () => {
  it("claims one api per app with its routes, exactly", async () => {
    const claims = await indexTree(jsRoutesIndexer, root);
    for (const { contract } of claims) {
      const manifest = JSON.stringify({ $schema: "https://rtt/spec/v1", symbol: contract });
      assert.equal(validateDocument("manifest", manifest, contract.saddr).ok, true, contract.saddr);
    }
    assert.deepEqual(claims, [
      {
        contract: {
          saddr: "rtt://acme-api/api/app@2.0.1",
          ...api,
          "x-paths": [
            { method: "GET", path: "/health" },
            { method: "GET", path: "/book" },
            { method: "POST", path: "/book" },
          ],
          "x-framework": "express",
          "x-run": ["node", "server.js"],
          "x-cwd": ".",
        },
        score,
        provenance: at("api/src/server.js", 2),
      },
      {
        contract: {
          saddr: "rtt://acme-api/api/router@2.0.1",
          ...api,
          "x-paths": [{ method: "DELETE", path: "/book/:id" }],
          "x-framework": "router",
        },
        score,
        provenance: at("api/src/server.js", 3),
      },
      {
        contract: {
          saddr: "rtt://web/api/h@0.0.0",
          ...api,
          "x-paths": [
            { method: "GET", path: "/t" },
            { method: "POST", path: "/p" },
          ],
          "x-framework": "hono",
          "x-run": ["node", "index.ts"],
          "x-cwd": ".",
        },
        score,
        provenance: at("web/index.ts", 4),
      },
      {
        contract: {
          saddr: "rtt://web/api/server@0.0.0",
          ...api,
          "x-paths": [
            { method: "GET", path: "/r" },
            { method: "POST", path: "/r" },
            { method: "PUT", path: "/u" },
          ],
          "x-framework": "fastify",
          "x-run": ["node", "index.ts"],
          "x-cwd": ".",
        },
        score,
        provenance: at("web/index.ts", 8),
      },
    ]);
  });

  it("never wants a vendored package, a declaration file or another language", () => {
    const entry = (rel: string) => ({
      rel,
      abs: join(root, rel),
      name: rel.slice(rel.lastIndexOf("/") + 1),
      kind: "file" as const,
    });
    // The scanner's rule, for every indexer: nothing under node_modules is offered.
    assert.equal(wantedBy([jsRoutesIndexer], [])(entry("vendor/node_modules/x/index.js")), false);
    assert.equal(wantedBy([jsRoutesIndexer], [])(entry("vendor/x/index.js")), true);
    assert.equal(jsRoutesIndexer.wants(entry("web/types.d.ts")), false);
    assert.equal(jsRoutesIndexer.wants(entry("web/types.d.mts")), false);
    assert.equal(jsRoutesIndexer.wants(entry("lib/a.py")), false);
    assert.equal(jsRoutesIndexer.wants(entry("web/index.cts")), true);
  });
});
