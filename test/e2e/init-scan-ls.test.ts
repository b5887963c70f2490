/**
 * `rtt init` → `rtt scan` → `rtt ls symbols` in an empty folder, with the real binary: the
 * layout init makes, that re-running it changes nothing (not even an mtime) and never
 * overwrites a user's file, and that the sample manifest it writes is what the scan catalogues.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launchHash, SAMPLE_CONTRACT } from "@rtt/core";
import {
  makeTempDir,
  parseJson,
  removeTempDirs,
  runRtt,
  type Snapshot,
  snapshot,
} from "./helpers.ts";

after(removeTempDirs);

/** What init lays out, in the order it reports them. */
const LAYOUT = [
  ".rtt/",
  ".rtt/drivers/",
  ".rtt/manifests/",
  ".rtt/cache/",
  ".rtt/wal/",
  ".rtt/sockets/",
  ".rtt/panel.yaml",
  ".rtt/policy.json",
  ".rtt/routes.json",
  ".rtt/manifests/metrics.api.json",
  ".rtt/.gitignore",
];

const SAMPLE = SAMPLE_CONTRACT.saddr;

/** The sample symbol as `rtt ls symbols --json` shows it, less its contract hash. */
const SAMPLE_SYMBOL = {
  ...SAMPLE_CONTRACT,
  auth: { mode: "none" },
  tags: {},
  source: { file: ".rtt/manifests/metrics.api.json", scanner: "manifest", score: 1 },
  // Unsigned: no signer; the manifest it came from.
  signed_by: null,
  signer_trusted: null,
  manifest: ".rtt/manifests/metrics.api.json",
  found_by: "manifest",
  score: 1,
};

const USER_PANEL_YAML = `# my own settings: rtt init must leave this file alone
scan:
  roots: ["./"]
  ignore: [".git", "node_modules"]
`;

describe("rtt init, scan and ls symbols in an empty folder", () => {
  let ws = "";
  let afterFirstInit: Snapshot = {};
  before(() => {
    ws = makeTempDir();
  });

  it("rtt init creates the whole .rtt/ layout and says so", async () => {
    const r = await runRtt(["init"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      `${LAYOUT.map((p) => `created  ${p}\n`).join("")}${ws}: initialised. Next: rtt scan && rtt ls symbols\n`,
    );
    afterFirstInit = snapshot(join(ws, ".rtt"));
    assert.deepEqual(Object.keys(afterFirstInit), [...LAYOUT].sort());
    for (const p of LAYOUT) {
      assert.equal(statSync(join(ws, p)).isDirectory(), p.endsWith("/"), p);
    }
    // The sockets folder is private to its owner.
    assert.equal(statSync(join(ws, ".rtt/sockets")).mode & 0o777, 0o700);
    assert.equal(readFileSync(join(ws, ".rtt/routes.json"), "utf8"), '{\n  "routes": []\n}\n');
    assert.deepEqual(JSON.parse(readFileSync(join(ws, ".rtt/policy.json"), "utf8")), {
      allow: [{ from: "rtt://*/*/*", to: "rtt://*/api/*", scopes: ["*"] }],
      pin: [],
      qos: [{ match: "rtt://*/api/*", latency_ms: 2, prio: 1 }],
      failover: [],
    });
    const panel = readFileSync(join(ws, ".rtt/panel.yaml"), "utf8");
    assert.match(panel, /^# RTT panel configuration/);
    assert.match(panel, /^scan:\n {2}# Folders to walk/m);
    const sample = JSON.parse(readFileSync(join(ws, ".rtt/manifests/metrics.api.json"), "utf8"));
    assert.equal(sample.symbol.saddr, SAMPLE);
  });

  it("a second rtt init reports every path as kept and changes no byte or mtime", async () => {
    const r = await runRtt(["init"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      `${LAYOUT.map((p) => `kept     ${p}\n`).join("")}${ws}: already initialised; nothing changed\n`,
    );
    assert.deepEqual(snapshot(join(ws, ".rtt")), afterFirstInit);
  });

  it("rtt init --json lists created and kept paths", async () => {
    const r = await runRtt(["init", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.deepEqual(parseJson(r.stdout), { root: ws, created: [], kept: LAYOUT });
    assert.deepEqual(snapshot(join(ws, ".rtt")), afterFirstInit);
  });

  it("never overwrites a user-edited panel.yaml, and recreates only what is missing", async () => {
    const panelPath = join(ws, ".rtt/panel.yaml");
    writeFileSync(panelPath, USER_PANEL_YAML);
    rmSync(join(ws, ".rtt/policy.json"));
    const panelBefore = statSync(panelPath);
    const r = await runRtt(["init", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.deepEqual(parseJson(r.stdout), {
      root: ws,
      created: [".rtt/policy.json"],
      kept: LAYOUT.filter((p) => p !== ".rtt/policy.json"),
    });
    assert.equal(readFileSync(panelPath, "utf8"), USER_PANEL_YAML);
    const panelAfter = statSync(panelPath);
    assert.equal(panelAfter.mtimeMs, panelBefore.mtimeMs);
    assert.equal(panelAfter.ino, panelBefore.ino);
    assert.ok(existsSync(join(ws, ".rtt/policy.json")));
  });

  it("rtt scan exits 0 and catalogues the one sample manifest", async () => {
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^scanned 5 files in 3 folders: 1 manifest → 1 symbol; no problems \(1 read, 0 unchanged\) in \d+ ms\n$/,
    );
    assert.ok(existsSync(join(ws, ".rtt/cache/catalog.json")));
  });

  it("rtt ls symbols --json prints exactly the sample symbol, as valid JSON", async () => {
    const r = await runRtt(["ls", "symbols", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    const symbols = parseJson(r.stdout);
    assert.ok(Array.isArray(symbols));
    assert.equal(symbols.length, 1);
    const { contract_hash, launch_hash, ...rest } = symbols[0] as {
      contract_hash: unknown;
      launch_hash: unknown;
    };
    assert.deepEqual(rest, SAMPLE_SYMBOL);
    // What runs there (ADR 0012): the http driver, in the manifest's folder.
    assert.equal(
      launch_hash,
      launchHash({
        manifest: ".rtt/manifests/metrics.api.json",
        driver: "http",
        cwd: ".rtt/manifests",
      }),
    );
    assert.equal(typeof contract_hash, "string");
    assert.match(String(contract_hash), /^[0-9a-f]{64}$/);
    // The same hash the catalog on disk holds.
    const catalog = JSON.parse(readFileSync(join(ws, ".rtt/cache/catalog.json"), "utf8"));
    assert.equal(catalog.symbols[0].contract_hash, contract_hash);
  });

  it("rtt ls symbols prints it as a table with a count", async () => {
    const r = await runRtt(["ls", "symbols"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "SADDR                         TYPE  DIRECTION  CAPS         SOURCE    FILE                             SIGNED BY\n" +
        "rtt://core/api/metrics@1.0.0  api   provider   pull,stream  manifest  .rtt/manifests/metrics.api.json  -\n" +
        "1 symbol\n",
    );
  });
});

describe("rtt init <dir> --json in a fresh folder", () => {
  it("initialises the named folder and lists every path as created", async () => {
    const parent = makeTempDir();
    const r = await runRtt(["init", "proj", "--json"], { cwd: parent });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.deepEqual(parseJson(r.stdout), {
      root: join(parent, "proj"),
      created: LAYOUT,
      kept: [],
    });
    assert.ok(statSync(join(parent, "proj/.rtt/manifests/metrics.api.json")).isFile());
    assert.equal(existsSync(join(parent, ".rtt")), false);
  });
});
