/**
 * One project, one namespace (ADR 0026, "Addresses"): whatever indexer claims a file, the file's
 * nearest project names it, on a tree laid out like the real repositories it was found wrong on
 * (fd: Cargo package + shell scripts; node_exporter: go.mod + systemd unit + scripts), with a
 * Cargo workspace, nested projects and a folder under none. Then, as a law: the order in which
 * files were walked, and of the indexers, never changes a claim's address.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { canonicalJson } from "@rtt/core";
import fc from "fast-check";
import { workspacePaths } from "../workspace/workspace.ts";
import { INDEXERS } from "./indexers/registry.ts";
import { discoverClaims } from "./indexing.ts";
import type { Project } from "./project-namespaces.ts";
import { projectsRead } from "./project-namespaces.ts";
import { readScanState, type StateEntry } from "./scan-state.ts";
import { scanWorkspace } from "./scanner.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-project-ns-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string, mode = 0o644): void {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  chmodSync(abs, mode);
}

const SCRIPT = "#!/bin/sh\necho hi\n";
mkdirSync(join(root, ".rtt"));
// fd: the package's name is not its folder's.
put(
  "fd/Cargo.toml",
  '[package]\nname = "fd-find"\nversion = "10.4.2"\n\n[[bin]]\nname = "fd"\npath = "src/main.rs"\n',
);
put("fd/src/main.rs", "fn main() {}\n");
put("fd/scripts/create-deb.sh", SCRIPT, 0o755);
// node_exporter: a module path, no version; a unit and a script beside it.
put("exporter/go.mod", "module github.com/prometheus/node_exporter\n\ngo 1.22\n");
put("exporter/main.go", "package main\n\nfunc main() {}\n");
put("exporter/check.sh", SCRIPT, 0o755);
put(
  "exporter/examples/systemd/node_exporter.service",
  "[Service]\nExecStart=/usr/bin/node_exporter\n",
);
// A Cargo workspace: the root names no project, a member inherits the root's version.
put(
  "ws/Cargo.toml",
  '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "2.1.0"\n',
);
put("ws/crates/tool/Cargo.toml", '[package]\nname = "ws-tool"\nversion.workspace = true\n');
put("ws/crates/tool/src/main.rs", "fn main() {}\n");
put("ws/crates/tool/run.sh", SCRIPT, 0o755);
put("ws/release.sh", SCRIPT, 0o755);
// Nested projects: the nearest wins; pyproject.toml names a folder before package.json; a pyproject of tool settings only is no project.
put("py/pyproject.toml", '[project]\nname = "Outer_Tools"\nversion = "1.0.0"\n');
put("py/package.json", '{"name": "outer-assets", "version": "9.9.9"}');
put("py/top.sh", SCRIPT, 0o755);
put(
  "py/web/package.json",
  '{"name": "@acme/inner", "version": "0.3.0", "bin": {"inner": "cli.js"}}',
);
put("py/web/build.sh", SCRIPT, 0o755);
put("py/web/lint/pyproject.toml", "[tool.ruff]\nline-length = 100\n");
put("py/web/lint/fix.sh", SCRIPT, 0o755);
// Under no project: the folder rule.
put("loose/run.sh", SCRIPT, 0o755);

const paths = workspacePaths(root);

describe("claims in a project's folder", () => {
  it("take the nearest project's namespace, its version when it states one, and name scripts below it", async () => {
    const report = await scanWorkspace(paths);
    const found = report.symbols
      .map((s) => `${s.saddr} ${s.source.scanner} ${s.source.file}`)
      .sort();
    assert.deepEqual(found, [
      "rtt://acme-inner/proc/build.sh@0.3.0 indexer:shebang py/web/build.sh",
      "rtt://acme-inner/proc/inner@0.3.0 indexer:node-package py/web/package.json",
      "rtt://acme-inner/proc/lint-fix.sh@0.3.0 indexer:shebang py/web/lint/fix.sh",
      "rtt://fd-find/proc/fd@10.4.2 indexer:rust-cargo fd/Cargo.toml",
      "rtt://fd-find/proc/scripts-create-deb.sh@10.4.2 indexer:shebang fd/scripts/create-deb.sh",
      "rtt://github.com-prometheus-node_exporter/proc/check.sh@0.0.0 indexer:shebang exporter/check.sh",
      "rtt://github.com-prometheus-node_exporter/proc/node_exporter@0.0.0 indexer:go exporter/main.go",
      "rtt://github.com-prometheus-node_exporter/service/node_exporter@0.0.0 indexer:systemd exporter/examples/systemd/node_exporter.service",
      "rtt://loose/proc/run.sh@0.0.0 indexer:shebang loose/run.sh",
      "rtt://outer_tools/proc/top.sh@1.0.0 indexer:shebang py/top.sh",
      "rtt://ws-tool/proc/run.sh@2.1.0 indexer:shebang ws/crates/tool/run.sh",
      "rtt://ws-tool/proc/ws-tool@2.1.0 indexer:rust-cargo ws/crates/tool/src/main.rs",
      "rtt://ws/proc/release.sh@0.0.0 indexer:shebang ws/release.sh",
    ]);
  });

  it("are addressed the same whatever the order of files and indexers", async () => {
    await scanWorkspace(paths);
    const files = Object.entries(readScanState(paths.scanState).files);
    const addresses = (entries: readonly [string, StateEntry][], indexers = INDEXERS) =>
      discoverClaims(Object.fromEntries(entries), indexers)
        .claims.map((c) => canonicalJson([c.saddr, c.discovery.provenance]))
        .sort();
    const expected = addresses(files);
    assert.ok(expected.length >= 12);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(files, { minLength: files.length }),
        fc.shuffledSubarray([...INDEXERS], { minLength: INDEXERS.length }),
        (shuffled, indexers) => {
          assert.deepEqual(addresses(shuffled, indexers), expected);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("when two project files share a folder, the first of a fixed order names the project", () => {
    const entry = (facts: unknown[]): StateEntry =>
      ({
        size: 1,
        mtimeMs: 1,
        ino: 1,
        outcome: { kind: "indexed", facts: { project: facts }, diagnostics: [] },
      }) as unknown as StateEntry;
    const py = entry([{ kind: "project", name: "py", version: "1.0.0" }]);
    const js = entry([{ kind: "project", name: "js", version: null }]);
    const expected = new Map<string, Project>([
      ["a", { folder: "a", namespace: "py", version: "1.0.0" }],
    ]);
    assert.deepEqual(projectsRead({ "a/package.json": js, "a/pyproject.toml": py }), expected);
    assert.deepEqual(projectsRead({ "a/pyproject.toml": py, "a/package.json": js }), expected);
  });
});
