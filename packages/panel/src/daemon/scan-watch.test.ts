/**
 * The panel's watch on a real workspace, without the rest of the daemon (nothing wired): it
 * scans at start, rescans on a change, follows panel.yaml to new scan roots, and stops with
 * `scan.watch: false`; and `changedRoutes` says which wired routes lost or changed an end.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually } from "@rtt/core/testing";
import { type Edge, EMPTY_TOPOLOGY, endOf } from "../plan/topology.ts";
import { workspacePaths } from "../workspace/workspace.ts";
import { changedRoutes, ScanWatch } from "./scan-watch.ts";

const LOGGER = fileURLToPath(
  new URL("../../../../examples/quickstart/services/logger/rtt.manifest.json", import.meta.url),
);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function manifest(name: string): string {
  return readFileSync(LOGGER, "utf8").replace("logger@1.0.0", `${name}@1.0.0`);
}

async function saddrs(watch: ScanWatch): Promise<string[] | undefined> {
  return (await watch.lastScan())?.report.symbols.map((s) => s.saddr).sort();
}

describe("ScanWatch", () => {
  it("scans, rescans on change, follows new scan roots, and stops with scan.watch: false", async () => {
    const root = mkdtempSync(join(tmpdir(), "rtt-scan-watch-"));
    dirs.push(root);
    for (const d of [".rtt", "a", "b"]) mkdirSync(join(root, d));
    writeFileSync(join(root, ".rtt/panel.yaml"), 'scan:\n  roots: ["a"]\n');
    writeFileSync(join(root, "a/rtt.manifest.json"), manifest("one"));
    const log: string[] = [];
    const watch = await ScanWatch.start({
      paths: workspacePaths(root),
      live: () => ({ topology: EMPTY_TOPOLOGY, seq: 0 }),
      apply: () => assert.fail("nothing is wired: nothing to apply"),
      failover: () => assert.fail("nothing is wired: nothing to fail over"),
      log: (line) => log.push(line),
    });
    assert.ok(watch !== undefined);
    try {
      assert.deepEqual(await saddrs(watch), ["rtt://obs/extension/one@1.0.0#ndjson"]);
      writeFileSync(join(root, "a/rtt.manifest.json"), manifest("two"));
      await eventually(
        async () => (await saddrs(watch))?.[0] === "rtt://obs/extension/two@1.0.0#ndjson",
        { what: "the edit rescanned" },
      );

      writeFileSync(join(root, ".rtt/panel.yaml"), 'scan:\n  roots: ["a", "b"]\n');
      await eventually(() => log.some((l) => l.includes("watching a, b for changes")), {
        what: "the watch on the new roots",
        detail: () => log.join("\n"),
      });
      writeFileSync(join(root, "b/rtt.manifest.json"), manifest("three"));
      await eventually(async () => (await saddrs(watch))?.length === 2, {
        what: "b's manifest seen",
      });

      writeFileSync(join(root, ".rtt/panel.yaml"), "scan:\n  watch: false\n");
      await eventually(async () => (await watch.lastScan()) === undefined, {
        what: "the watch stopped",
        detail: () => log.join("\n"),
      });
      assert.ok(log.includes("not watching any more (scan.watch: false)"), log.join("\n"));
    } finally {
      await watch.close();
    }
  });
});

describe("changedRoutes", () => {
  it("names routes whose end vanished or changed its contract or launch", () => {
    const logger = JSON.parse(manifest("log")).symbol;
    const symbol = {
      saddr: "rtt://obs/extension/log@1.0.0#ndjson",
      contract_hash: "c1",
      launch_hash: "",
      source: { file: "log/rtt.manifest.json", scanner: "manifest", score: 1 },
      extensions: { "x-run": logger["x-run"] },
    } as unknown as Parameters<typeof endOf>[0];
    const end = endOf(symbol, "process");
    const edge = (route: string): Edge => ({
      route,
      from: end,
      to: end,
      lane: "uds",
      pattern: "oneway",
      prio: 0,
      params: {},
    });
    assert.deepEqual([...changedRoutes([edge("r")], [symbol])], []);
    assert.deepEqual(
      [...changedRoutes([edge("r")], [])],
      [["r", "rtt://obs/extension/log@1.0.0#ndjson vanished"]],
    );
    assert.deepEqual(
      [...changedRoutes([edge("r")], [{ ...symbol, contract_hash: "c2" }])],
      [["r", "rtt://obs/extension/log@1.0.0#ndjson changed its contract"]],
    );
    const moved = { ...symbol, extensions: { "x-run": ["node", "other.mjs"] } };
    assert.deepEqual(
      [...changedRoutes([edge("r")], [moved])],
      [["r", "rtt://obs/extension/log@1.0.0#ndjson changed its launch"]],
    );
  });
});
