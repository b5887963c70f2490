import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { CATALOG_FORMAT } from "../catalog.ts";
import { workspacePaths } from "../workspace/workspace.ts";
import { assertValidSbom, LOGGER, METRICS } from "./sbom-fixtures.ts";
import { workspaceSbom } from "./workspace.ts";

// The workspace is a folder of a temp folder, so the file "outside" it is still the test's own.
const base = mkdtempSync(join(tmpdir(), "rtt-sbom-ws-"));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, "ws");
const paths = workspacePaths(root);

interface Doc {
  components: { "bom-ref": string; hashes?: { content: string }[] }[];
  services?: unknown[];
}

describe("workspaceSbom", () => {
  it("hashes the catalog's manifests inside the workspace, never a path leading out", async () => {
    const manifest = join(root, METRICS.source.file);
    mkdirSync(dirname(manifest), { recursive: true });
    writeFileSync(manifest, '{"symbol":{}}\n');
    writeFileSync(join(base, "outside.json"), "not the workspace's\n");
    const escaping = { ...LOGGER, source: { ...LOGGER.source, file: "../outside.json" } };
    mkdirSync(dirname(paths.catalog), { recursive: true });
    writeFileSync(
      paths.catalog,
      JSON.stringify({
        format: CATALOG_FORMAT,
        symbols: [METRICS, escaping],
        conflicts: [],
        diagnostics: [],
      }),
    );
    const text = await workspaceSbom(paths, { rttVersion: "0.1.0" });
    await assertValidSbom(text);
    const doc = JSON.parse(text) as Doc;
    const hashes = (ref: string) => doc.components.find((c) => c["bom-ref"] === ref)?.hashes;
    const sha = createHash("sha256").update('{"symbol":{}}\n').digest("hex");
    assert.deepEqual(hashes(METRICS.saddr), [{ alg: "SHA-256", content: sha }]);
    assert.equal(hashes(LOGGER.saddr), undefined);
    assert.equal(doc.services, undefined, "nothing applied: no routes");
  });
});
