import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inVendoredFolder } from "./project-folder.ts";

describe("inVendoredFolder", () => {
  it("holds for a path under a folder of installed packages, at any depth", () => {
    for (const rel of [
      "node_modules/x.js",
      "a/node_modules/.bin/tool",
      ".venv/lib/python3.12/site-packages/pkg/mod.py",
      "usr/lib/python3/dist-packages/x/cli.sh",
    ])
      assert.equal(inVendoredFolder(rel), true, rel);
  });

  it("does not hold for a file so named, a longer folder name, or the project's own folders", () => {
    for (const rel of [
      "node_modules",
      "a/site-packages",
      "my_node_modules/x.js",
      "node_modules2/x.js",
      "src/packages/site/x.py",
      "x.py",
    ])
      assert.equal(inVendoredFolder(rel), false, rel);
  });
});
