/**
 * Drivers' own Probe as claims, with real driver processes in `.rtt/drivers/` built with the
 * connector SDK and started in the sandbox panel.yaml asks for (auto): one that finds symbols,
 * one that hangs in Probe, one that answers garbage, one that names too many, one that does not
 * start. Each bad one is a warning naming it; the good claims are all there.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Diagnostic } from "@rtt/core";
import { type WorkspacePaths, workspacePaths } from "../workspace/workspace.ts";
import { MAX_PROBED_SYMBOLS, probeDrivers } from "./driver-probe.ts";

const SDK = new URL("../../../connector-sdk/src/index.ts", import.meta.url).href;

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function workspace(): WorkspacePaths {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "rtt-driver-probe-")));
  temps.push(root);
  const paths = workspacePaths(root);
  mkdirSync(paths.cache, { recursive: true });
  return paths;
}

/** A driver file: a connector whose probe is `probe` (JS source of a function of root). */
function driver(paths: WorkspacePaths, file: string, probe: string, top = ""): void {
  mkdirSync(paths.drivers, { recursive: true });
  const name = file.replace(/\.mjs$/, "");
  writeFileSync(
    join(paths.drivers, file),
    `import { join } from "node:path";
import { defineConnector, serveDriver } from ${JSON.stringify(SDK)};
${top}
const connector = defineConnector({
  name: ${JSON.stringify(name)},
  version: "1.0.0",
  probe: ${probe},
  open: () => ({}),
  tx: () => {},
  async *rx() {},
  close: () => {},
  health: () => ({ ok: true, lag_ms: 0 }),
});
await serveDriver(connector);
`,
  );
}

const warnings = (ds: readonly Diagnostic[], file: string) =>
  ds.filter((d) => d.file === file).map((d) => `${d.severity} ${d.code} ${d.message}`);

describe("probeDrivers", () => {
  it("costs nothing without .rtt/drivers/: no driver started", async () => {
    const paths = workspace();
    let confined = 0;
    const result = await probeDrivers(paths, ["."], {
      confine: (launch) => {
        confined++;
        return launch;
      },
    });
    assert.deepEqual(result, { claims: [], diagnostics: [] });
    assert.equal(confined, 0);
  });

  it("with a tree key, reuses the last result until the key or a driver file changes", async () => {
    const paths = workspace();
    const finder = (version: string) =>
      driver(
        paths,
        "finder.mjs",
        `() => [{ saddr: "rtt://finder/api/status@${version}", type: "api", direction: "provider" }]`,
      );
    finder("1.0.0");
    let started = 0;
    const probe = (treeKey: string) =>
      probeDrivers(paths, ["."], {
        treeKey,
        startTimeoutMs: 20_000,
        confine: (launch) => {
          started++;
          return launch;
        },
      });
    const saddrs = async (treeKey: string) =>
      (await probe(treeKey)).claims.map((c) => c.contract.saddr);
    assert.deepEqual(await saddrs("t1"), ["rtt://finder/api/status@1.0.0"]);
    assert.deepEqual(await saddrs("t1"), ["rtt://finder/api/status@1.0.0"]);
    assert.equal(started, 1, "the second probe of the same tree started no driver");
    assert.deepEqual(await saddrs("t2"), ["rtt://finder/api/status@1.0.0"]);
    assert.equal(started, 2);
    finder("2.0.0");
    assert.deepEqual(await saddrs("t2"), ["rtt://finder/api/status@2.0.0"]);
    assert.equal(started, 3);
  });

  it("turns each driver's probed symbols into claims; a bad driver is a warning naming it", async () => {
    const paths = workspace();
    mkdirSync(join(paths.root, "data"));
    driver(
      paths,
      "finder.mjs",
      `(root) => [
        { saddr: "rtt://finder/file/events@1.0.0#fifo", type: "file", direction: "provider",
          "x-path": join(root, "data/events.fifo") },
        { saddr: "rtt://finder/api/status@0.0.0", type: "api", direction: "provider",
          "x-url": "http://127.0.0.1:9464/status" },
        { saddr: "rtt://finder/file/passwd@1.0.0", type: "file", direction: "provider",
          "x-path": "/etc/passwd" },
      ]`,
    );
    driver(paths, "hang.mjs", "() => new Promise(() => {})");
    driver(
      paths,
      "garbage.mjs",
      `() => [
        { saddr: "rtt://g/api/ok@1.0.0", type: "api", direction: "both" },
        { saddr: "rtt://g/api/bad@1.0.0", type: "api", direction: "sideways" },
        { saddr: "rtt://g/api/extra@1.0.0", type: "api", direction: "provider", bogus: true },
      ]`,
    );
    driver(
      paths,
      "many.mjs",
      `() => Array.from({ length: ${MAX_PROBED_SYMBOLS + 5} }, (_, i) =>
        ({ saddr: "rtt://many/api/n" + i + "@1.0.0", type: "api", direction: "provider" }))`,
    );
    driver(paths, "broken.mjs", "() => []", 'throw new Error("this driver is broken");');
    writeFileSync(join(paths.drivers, "README.md"), "not a driver\n");
    writeFileSync(join(paths.drivers, "notes"), "not executable: not a driver\n");
    chmodSync(join(paths.drivers, "notes"), 0o644);

    // A generous start: five drivers start at once on a machine that may be busy.
    const { claims, diagnostics } = await probeDrivers(paths, ["."], { startTimeoutMs: 20_000 });

    const finder = claims.filter((c) => c.provenance.indexer === "driver-finder");
    assert.deepEqual(
      finder.sort((a, b) => (a.contract.saddr < b.contract.saddr ? -1 : 1)),
      [
        {
          contract: {
            saddr: "rtt://finder/api/status@0.0.0",
            type: "api",
            direction: "provider",
            "x-url": "http://127.0.0.1:9464/status",
            "x-driver": "finder",
          },
          score: 0.7,
          provenance: { indexer: "driver-finder", file: ".rtt/drivers/finder.mjs", line: 1 },
        },
        {
          contract: {
            saddr: "rtt://finder/file/events@1.0.0#fifo",
            type: "file",
            direction: "provider",
            "x-path": "events.fifo",
            "x-driver": "finder",
          },
          score: 0.7,
          provenance: { indexer: "driver-finder", file: "data/events.fifo", line: 1 },
        },
      ],
    );
    assert.deepEqual(warnings(diagnostics, ".rtt/drivers/finder.mjs"), [
      'warning RTT_ERR_DRIVER_CALL driver "finder": Probe: symbol rtt://finder/file/passwd@1.0.0 left out: its x-path "/etc/passwd" is not under the scan root .',
    ]);

    assert.deepEqual(
      claims.filter((c) => c.provenance.indexer === "driver-garbage").map((c) => c.contract),
      [{ saddr: "rtt://g/api/ok@1.0.0", type: "api", direction: "both", "x-driver": "garbage" }],
    );
    const garbage = warnings(diagnostics, ".rtt/drivers/garbage.mjs");
    assert.equal(garbage.length, 2, garbage.join("\n"));
    assert.match(
      garbage[0] ?? "",
      /driver "garbage": Probe: symbol "rtt:\/\/g\/api\/bad@1\.0\.0" left out: expected one of provider, consumer, both; found the string "sideways"$/,
    );
    assert.match(
      garbage[1] ?? "",
      /driver "garbage": Probe: symbol "rtt:\/\/g\/api\/extra@1\.0\.0" left out: unknown field "bogus"$/,
    );

    assert.equal(
      claims.filter((c) => c.provenance.indexer === "driver-many").length,
      MAX_PROBED_SYMBOLS,
    );
    assert.deepEqual(warnings(diagnostics, ".rtt/drivers/many.mjs"), [
      `warning RTT_ERR_DRIVER_CALL driver "many": Probe named more than ${MAX_PROBED_SYMBOLS} symbols; the rest were left out`,
    ]);

    const hang = warnings(diagnostics, ".rtt/drivers/hang.mjs");
    assert.equal(hang.length, 1, hang.join("\n"));
    assert.match(
      hang[0] ?? "",
      /^warning RTT_ERR_DRIVER_TIMEOUT driver "hang" did not answer Probe in time$/,
    );
    assert.equal(claims.filter((c) => c.provenance.indexer === "driver-hang").length, 0);

    const broken = warnings(diagnostics, ".rtt/drivers/broken.mjs");
    assert.equal(broken.length, 1, broken.join("\n"));
    assert.match(
      broken[0] ?? "",
      /^warning RTT_ERR_DRIVER_EXITED driver "broken" not probed: [\s\S]*Error: this driver is broken/,
    );

    // Nothing else spoke: README.md and the non-executable file are not drivers.
    assert.deepEqual([...new Set(diagnostics.map((d) => d.file))].sort(), [
      ".rtt/drivers/broken.mjs",
      ".rtt/drivers/finder.mjs",
      ".rtt/drivers/garbage.mjs",
      ".rtt/drivers/hang.mjs",
      ".rtt/drivers/many.mjs",
    ]);
    assert.ok(diagnostics.every((d) => d.severity === "warning"));
  });
});
