/**
 * The sandbox levels against real processes: a stand-in driver, started as the panel starts
 * one (DriverSandbox.wrap), tries to write inside and outside what it may, and runs a program
 * that tries the same. `none` is the control: there every write lands.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { workspacePaths } from "../workspace/workspace.ts";
import { DriverSandbox } from "./driver-sandbox.ts";
import { probeBwrap } from "./probe.ts";

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** What the stand-in driver saw: each write's outcome ("ok" or its error code), and its NNP. */
interface Seen {
  readonly outside: string;
  readonly wal: string;
  readonly run: string;
  readonly tree: string;
  /** A file in the compile cache the launch names (NODE_COMPILE_CACHE). */
  readonly cache: string;
  readonly programOutside: string;
  readonly noNewPrivs: string;
}

const DRIVER = `
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
const [outside, wal, run, tree] = process.argv.slice(2);
const tryWrite = (file) => {
  try { writeFileSync(file, "x"); return "ok"; } catch (e) { return e.code ?? String(e); }
};
let programOutside;
try {
  execFileSync("sh", ["-c", 'echo x > "$0"', outside + ".program"], { stdio: "ignore" });
  programOutside = "ok";
} catch (e) { programOutside = e.code ?? "exit " + e.status; }
const status = readFileSync("/proc/self/status", "utf8");
console.log(JSON.stringify({
  outside: tryWrite(outside), wal: tryWrite(wal), run: tryWrite(run), tree: tryWrite(tree),
  cache: tryWrite(process.env.NODE_COMPILE_CACHE + "/probe"), programOutside, noNewPrivs: /NoNewPrivs:\\s*(\\d)/.exec(status)?.[1] ?? "?",
}));
`;

/** Runs the stand-in driver `name` in a fresh workspace under `setting`. */
function runDriver(setting: "bwrap" | "node" | "none", name = "process") {
  const root = tempDir("rtt-sandbox-ws-");
  const outsideDir = tempDir("rtt-sandbox-outside-");
  const paths = workspacePaths(root);
  for (const dir of [paths.wal, paths.run]) mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, "logs"));
  const script = join(tempDir("rtt-sandbox-driver-"), "driver.mjs");
  writeFileSync(script, DRIVER);
  const sandbox = new DriverSandbox(paths, setting, {
    prefer: ["shm", "uds", "tcp"],
    catalog: () => [],
  });
  const launch = sandbox.wrap({ name, command: process.execPath, args: [script] });
  const files = {
    outside: join(outsideDir, "escape.txt"),
    wal: join(paths.wal, "planted"),
    run: join(paths.run, "state"),
    tree: join(root, "logs", "out.ndjson"),
  };
  const run = spawnSync(
    launch.command,
    [...(launch.args ?? []), files.outside, files.wal, files.run, files.tree],
    { encoding: "utf8", timeout: 20_000, env: { ...process.env, ...launch.env } },
  );
  assert.equal(run.status, 0, `${launch.command} failed: ${run.stderr}`);
  const seen = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as Seen;
  return { seen, files, launch };
}

const bwrap = probeBwrap();

describe("driver sandbox, real processes", () => {
  it("none (the control): every write lands, outside the workspace too", () => {
    const { seen, files } = runDriver("none");
    assert.deepEqual(
      { ...seen, noNewPrivs: undefined },
      {
        outside: "ok",
        wal: "ok",
        run: "ok",
        tree: "ok",
        cache: "ok",
        programOutside: "ok",
        noNewPrivs: undefined,
      },
    );
    assert.ok(existsSync(files.outside));
  });

  it("bwrap: no_new_privs, writes only in the workspace tree, .rtt/run and its compile cache, for its programs too", {
    skip: bwrap.ok ? false : `${bwrap.reason} (scripts/ensure-test-deps.sh installs bubblewrap)`,
  }, () => {
    const { seen, files, launch } = runDriver("bwrap");
    assert.equal(launch.forks, true);
    assert.deepEqual(seen, {
      outside: "EROFS",
      wal: "EROFS",
      run: "ok",
      tree: "ok",
      cache: "ok",
      programOutside: "exit 2",
      noNewPrivs: "1",
    });
    assert.ok(!existsSync(files.outside) && !existsSync(`${files.outside}.program`));
    assert.ok(!existsSync(files.wal), "the WAL folder is read-only to a driver");
  });

  it("node: the permission model refuses a write outside the allowed paths", () => {
    const { seen, files } = runDriver("node");
    assert.equal(seen.outside, "ERR_ACCESS_DENIED");
    assert.equal(seen.run, "ok");
    assert.equal(seen.tree, "ok");
    assert.equal(seen.cache, "ok");
    assert.ok(!existsSync(files.outside));
    // setpriv, where there is one, gives no_new_privs; a program's writes are not confined.
    if (spawnSync("setpriv", ["--version"]).status === 0) assert.equal(seen.noNewPrivs, "1");
  });

  it("a .rtt/run that is a link is not opened to a driver: it does not start", () => {
    const root = tempDir("rtt-sandbox-ws-");
    const elsewhere = tempDir("rtt-sandbox-elsewhere-");
    const paths = workspacePaths(root);
    mkdirSync(paths.rttDir);
    symlinkSync(elsewhere, paths.run);
    for (const setting of ["bwrap", "node"] as const) {
      if (setting === "bwrap" && !bwrap.ok) continue;
      const sandbox = new DriverSandbox(paths, setting, { prefer: ["shm"], catalog: () => [] });
      assert.throws(
        () => sandbox.wrap({ name: "process", command: process.execPath }),
        (e: unknown) =>
          e instanceof RttError &&
          e.code === "RTT_ERR_DRIVER_SPAWN" &&
          e.message.includes(`${paths.run} is not a folder of this user's`),
        setting,
      );
    }
  });

  it("a compile cache that is a link is not opened to a driver: it does not start", () => {
    const root = tempDir("rtt-sandbox-ws-");
    const elsewhere = tempDir("rtt-sandbox-elsewhere-");
    const paths = workspacePaths(root);
    const launch = { name: "process", command: process.execPath, args: ["driver.ts"] };
    const dir = new DriverSandbox(paths, "none", { prefer: ["shm"], catalog: () => [] }).wrap(
      launch,
    ).env?.NODE_COMPILE_CACHE as string;
    mkdirSync(join(dir, ".."), { recursive: true });
    symlinkSync(elsewhere, dir);
    for (const setting of ["bwrap", "node"] as const) {
      if (setting === "bwrap" && !bwrap.ok) continue;
      const sandbox = new DriverSandbox(paths, setting, { prefer: ["shm"], catalog: () => [] });
      assert.throws(
        () => sandbox.wrap(launch),
        (e: unknown) =>
          e instanceof RttError &&
          e.code === "RTT_ERR_DRIVER_SPAWN" &&
          e.message.includes(`${dir} is not a folder of this user's`),
        setting,
      );
    }
  });

  it("node: the file driver may not start programs at all", () => {
    const { seen } = runDriver("node", "file");
    assert.equal(seen.programOutside, "ERR_ACCESS_DENIED");
  });
});
