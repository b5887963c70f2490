/**
 * The panel.yaml `rtt init` writes is plain YAML (ADR 0033): every command that reads it, a cold
 * `rtt scan` first, does so without loading the `yaml` package.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validateDocument } from "@rtt/core";
import { initWorkspace } from "./init.ts";

describe("rtt init's panel.yaml", () => {
  it("is read and validated without the yaml package", () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-init-yaml-"));
    try {
      initWorkspace(dir);
      const text = readFileSync(join(dir, ".rtt/panel.yaml"), "utf8");
      const loaded = () =>
        Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes("/yaml/"));
      const checked = validateDocument("panel-config", text, ".rtt/panel.yaml");
      assert.ok(checked.ok);
      assert.equal(loaded(), false, "the yaml package was loaded");
      // A position is asked for: only now does the package parse the text.
      const at = text.split("\n").findIndex((line) => line.startsWith("  ignore: ["));
      assert.deepEqual(checked.document.locate(["scan", "ignore"]), { line: at + 1, column: 11 });
      assert.equal(loaded(), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
