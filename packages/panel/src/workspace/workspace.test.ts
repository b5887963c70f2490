import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, test } from "node:test";
import { notRuntimeState } from "./workspace.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-workspace-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

test("a clean copy leaves out what scans and panels wrote, and keeps the rest", () => {
  const root = join(dir, "ws");
  const kept = [
    ".rtt/panel.yaml",
    ".rtt/routes.json",
    ".rtt/policy.json",
    ".rtt/runbook.md", // a file the user added beside them
    "services/logger/rtt.manifest.json",
    "services/run/x.txt", // "run" and "logs" only under .rtt/ and at the top count
    "services/logs/y.txt",
  ];
  const runtime = [
    ".rtt/cache/catalog.json",
    ".rtt/wal/wal-0000000001.log",
    ".rtt/sockets/panel.sock",
    ".rtt/audit/ledger.ndjson",
    ".rtt/run/routes/r/journal",
    ".rtt/panel.log",
    "logs/events.ndjson",
  ];
  for (const rel of [...kept, ...runtime]) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), rel);
  }
  const copy = join(dir, "copy");
  cpSync(root, copy, { recursive: true, filter: notRuntimeState(root) });
  assert.deepEqual(filesUnder(copy), [...kept].sort());
});
