/**
 * `rtt export --sbom` through the real binary on a temp copy of the quickstart: after an apply,
 * two exports are byte-identical, valid CycloneDX 1.6, list both routes as services and the
 * logger as a component; stdout carries the same bytes; unwiring a route changes the document.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { assertValidSbom } from "../../packages/panel/src/sbom/sbom-fixtures.ts";
import { quickstartSuite } from "../support/quickstart-workspace.ts";

const { ws, use } = quickstartSuite();
const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";

interface Sbom {
  readonly serialNumber: string;
  readonly components: readonly { readonly "bom-ref": string }[];
  readonly services?: readonly { readonly name: string; readonly data: readonly unknown[] }[];
}

describe("rtt export --sbom", () => {
  it("writes a deterministic, valid CycloneDX 1.6 SBOM of the running topology", async () => {
    use();
    const unscanned = await ws().rtt(["export", "--sbom"]);
    assert.equal(unscanned.code, 1, "no catalog yet");
    assert.match(unscanned.stderr, /RTT_ERR_CATALOG_MISSING/);
    assert.equal((await ws().rtt(["export"])).code, 2, "a usage error: export what?");

    await ws().ok(["scan"]);
    await ws().ok(["apply", "--auto-approve"]);
    await ws().ok(["export", "--sbom", "-o", "x.json"]);
    const first = readFileSync(ws().path("x.json"), "utf8");
    await ws().ok(["export", "--sbom", "-o", "x.json"]);
    assert.equal(readFileSync(ws().path("x.json"), "utf8"), first, "byte-identical across runs");
    assert.equal((await ws().ok(["export", "--sbom"])).stdout, first, "stdout: the same bytes");

    await assertValidSbom(first);
    const doc = JSON.parse(first) as Sbom;
    assert.deepEqual(
      doc.services?.map((s) => s.name),
      ["events-to-log", "ui-refresh"],
    );
    assert.ok(
      doc.services?.every((s) => s.data.length > 0),
      "each route has its data flows",
    );
    assert.ok(
      doc.components.some((c) => c["bom-ref"] === LOGGER),
      "the logger is a component",
    );

    // Unwire ui-refresh: the running topology changed, and so does its SBOM.
    const routesFile = ws().path(".rtt", "routes.json");
    const routes = JSON.parse(readFileSync(routesFile, "utf8")) as { routes: { id: string }[] };
    writeFileSync(
      routesFile,
      JSON.stringify({ routes: routes.routes.filter((r) => r.id !== "ui-refresh") }),
    );
    await ws().ok(["apply", "--auto-approve"]);
    const after = JSON.parse((await ws().ok(["export", "--sbom"])).stdout) as Sbom;
    assert.deepEqual(
      after.services?.map((s) => s.name),
      ["events-to-log"],
    );
    assert.notEqual(after.serialNumber, doc.serialNumber);
  });
});
