import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { workspacePaths } from "../workspace/workspace.ts";
import { driverInfo } from "./drivers.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-sbom-drivers-"));
after(() => rmSync(root, { recursive: true, force: true }));
const paths = workspacePaths(root);
const sha256 = (bytes: string | Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("driverInfo", () => {
  it("hashes a workspace's own driver, named relative to the workspace", () => {
    mkdirSync(paths.drivers, { recursive: true });
    writeFileSync(join(paths.drivers, "mine.mjs"), "// a driver\n");
    assert.deepEqual(driverInfo(paths, "mine"), {
      name: "mine",
      entry: { path: ".rtt/drivers/mine.mjs", sha256: sha256("// a driver\n") },
    });
  });

  it("hashes a shipped connector's entry file and gives its package version", () => {
    const info = driverInfo(paths, "process");
    const file = new URL("../../../connectors/process/src/driver.ts", import.meta.url);
    const pkg = JSON.parse(
      readFileSync(new URL("../../../connectors/process/package.json", import.meta.url), "utf8"),
    ) as { version: string };
    assert.deepEqual(info, {
      name: "process",
      version: pkg.version,
      entry: { path: "@rtt/connector-process/src/driver.ts", sha256: sha256(readFileSync(file)) },
    });
  });

  it("names a driver that cannot be found without an entry", () => {
    assert.deepEqual(driverInfo(paths, "nowhere"), { name: "nowhere" });
    assert.deepEqual(driverInfo(paths, "../escape"), { name: "../escape" });
  });
});
