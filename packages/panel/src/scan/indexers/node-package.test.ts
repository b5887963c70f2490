import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { wantedBy } from "../indexing.ts";
import { fixtureTree } from "./fixture-tree.ts";
import type { IndexEntry } from "./indexer.ts";
import { nodePackage } from "./node-package.ts";
import { indexTree } from "./testing.ts";

const PACKAGE = `{
  "name": "@acme/relay-tools",
  "version": "2.1.0",
  "bin": {
    "relay": "./bin/relay.js",
    "escape": "../../etc/passwd"
  },
  "exports": {
    ".": { "import": "./dist/index.mjs", "require": "./dist/index.cjs" },
    "./codec": "./dist/codec.js",
    "./features/*": "./dist/features/*.js",
    "./package.json": "./package.json",
    "./internal": null
  },
  "main": "./dist/index.cjs"
}
`;

const provenance = (file: string, line: number) => ({ indexer: "node-package", file, line });

/** Every file under `root`, node_modules included: what a walk with a custom ignore list meets. */
function everyEntry(root: string): IndexEntry[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const abs = join(d.parentPath, d.name);
      return { rel: abs.slice(root.length + 1), abs, name: d.name, kind: "file" as const };
    });
}

describe("node-package indexer", () => {
  it("claims bins and export subpaths, with the package's scope folded", async (t) => {
    const root = fixtureTree(t, { "tools/package.json": PACKAGE });
    const file = "tools/package.json";
    assert.deepEqual(await indexTree(nodePackage, root), [
      {
        contract: {
          saddr: "rtt://acme-relay-tools/plugin/codec@2.1.0",
          type: "plugin",
          direction: "provider",
          "x-module": "dist/codec.js",
        },
        score: 0.9,
        provenance: provenance(file, 10),
      },
      {
        contract: {
          saddr: "rtt://acme-relay-tools/plugin/relay-tools@2.1.0",
          type: "plugin",
          direction: "provider",
          "x-module": "dist/index.mjs",
        },
        score: 0.9,
        provenance: provenance(file, 9),
      },
      {
        contract: {
          saddr: "rtt://acme-relay-tools/proc/relay@2.1.0",
          type: "proc",
          direction: "both",
          "x-run": ["node", "bin/relay.js"],
          "x-cwd": ".",
        },
        score: 0.9,
        provenance: provenance(file, 5),
      },
    ]);
  });

  it("claims a string bin under the package's name, and main when there are no exports", async (t) => {
    const root = fixtureTree(t, {
      "package.json": JSON.stringify(
        {
          name: "hooky",
          version: "0.3",
          bin: "cli.js",
          main: "lib/main.js",
          keywords: ["Extension"],
        },
        null,
        2,
      ),
    });
    assert.deepEqual(
      (await indexTree(nodePackage, root)).map((c) => [
        c.contract.saddr,
        c.contract["x-run"] ?? c.contract["x-module"],
        c.provenance.line,
      ]),
      [
        ["rtt://hooky/extension/hooky@0.0.0", "lib/main.js", 5],
        ["rtt://hooky/proc/hooky@0.0.0", ["node", "cli.js"], 4],
      ],
    );
  });

  it("never claims a vendored package.json, even when the walk enters node_modules", async (t) => {
    const root = fixtureTree(t, {
      "app/node_modules/left-pad/package.json": '{"name":"left-pad","bin":"x.js"}',
      "node_modules/.bin/package.json": '{"name":"x","bin":"x.js"}',
      "app/package.json": '{"name":"app"}',
    });
    // The scanner's rule for every indexer (project-folder.ts `inVendoredFolder`).
    const wanted = everyEntry(root).filter(wantedBy([nodePackage], []));
    assert.deepEqual(
      wanted.map((e) => e.rel),
      ["app/package.json"],
    );
    assert.deepEqual(await indexTree(nodePackage, root), []);
  });

  it("refuses a binary file named package.json, and malformed JSON, with a position", async (t) => {
    const binary = fixtureTree(t, {
      "package.json": Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0xff, 0xfe, 0, 1]),
    });
    await assert.rejects(indexTree(nodePackage, binary), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.equal(error.position?.file, "package.json");
      return true;
    });
    const malformed = fixtureTree(t, { "pkg/package.json": '{\n  "name": "x",\n  "bin": {,}\n}' });
    await assert.rejects(indexTree(nodePackage, malformed), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.deepEqual(error.position, { file: "pkg/package.json", line: 3, column: 11 });
      return true;
    });
  });
});
