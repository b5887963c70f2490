/**
 * `rtt` from anywhere (issue 18): the bin run by the machine's own old Node, from a folder outside
 * the clone, re-executes itself with the Node 24 `npm ci` installed — directly, through a symbolic
 * link as npm's bin folders make, and after `npm install -g <clone>/packages/cli` into a temp
 * prefix (the README's install line). Without that Node it names the command that brings it, and
 * a re-executed Node that is old too does not loop.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { copyQuickstartTo } from "../support/quickstart.ts";
import {
  available,
  describeRun,
  findOldNode,
  makeTempDir,
  REPO,
  RTT_BIN,
  removeTempDirs,
  run,
} from "./helpers.ts";

after(removeTempDirs);

const old = findOldNode();
const skip = old === undefined ? "no Node older than 22.12 outside node_modules here" : false;
const { version } = JSON.parse(readFileSync(join(REPO, "packages", "cli", "package.json"), "utf8"));

/** `rtt --version`, then `rtt -C <quickstart copy> scan` and `ls symbols`, by `bin` on the old Node. */
async function worksFromOutside(bin: string): Promise<void> {
  if (old === undefined) return;
  const cwd = makeTempDir("rtt-anywhere-");
  const ws = copyQuickstartTo(join(makeTempDir("rtt-anywhere-ws-"), "quickstart"));
  const v = await run(old.path, [bin, "--version"], { cwd });
  assert.equal(v.code, 0, describeRun(v));
  assert.equal(v.stdout, `${version}\n`);
  const scan = await run(old.path, [bin, "-C", ws, "scan"], { cwd, timeoutMs: 60_000 });
  assert.equal(scan.code, 0, describeRun(scan));
  const ls = await run(old.path, [bin, "-C", ws, "ls", "symbols"], { cwd, timeoutMs: 60_000 });
  assert.equal(ls.code, 0, describeRun(ls));
  assert.match(ls.stdout, /rtt:\/\/obs\/extension\/logger@1\.0\.0#ndjson/);
  // The exit code comes through: a usage error is 2, on stderr as ever.
  const bad = await run(old.path, [bin, "frobnicate"], { cwd });
  assert.equal(bad.code, 2, describeRun(bad));
  assert.equal(bad.stderr, "error: unknown command 'frobnicate'\n");
}

describe("rtt from anywhere, on the machine's old Node", () => {
  it("the bin re-executes itself with the Node 24 npm installed", { skip }, async () => {
    await worksFromOutside(RTT_BIN);
  });

  it("through a symbolic link to the bin, as npm's bin folders make", { skip }, async () => {
    const bin = join(makeTempDir("rtt-anywhere-bin-"), "rtt");
    symlinkSync(RTT_BIN, bin);
    await worksFromOutside(bin);
  });

  it("after npm install -g <clone>/packages/cli into a prefix", {
    skip: skip || (available("npm", ["--version"]) ? false : "no npm on PATH"),
  }, async () => {
    const prefix = makeTempDir("rtt-anywhere-prefix-");
    const install = await run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--offline",
        "--no-audit",
        "--no-fund",
        "./packages/cli",
      ],
      { cwd: REPO, timeoutMs: 120_000 },
    );
    assert.equal(install.code, 0, describeRun(install));
    await worksFromOutside(join(prefix, "bin", "rtt"));
  });

  it("with no Node 24 beside it, one line names the command that brings it", { skip }, async () => {
    if (old === undefined) return;
    // The bin alone, far from any node_modules: nothing to re-execute with.
    const lone = join(makeTempDir("rtt-anywhere-lone-"), "bin");
    mkdirSync(lone);
    copyFileSync(RTT_BIN, join(lone, "rtt.js"));
    const r = await run(old.path, [join(lone, "rtt.js"), "init"], { cwd: lone });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `rtt: needs Node.js >= 22.12 (this is ${old.version}) and found no Node 24 installed with RTT; run \`npm ci --prefix ${join(lone, "..")}\` (it brings Node 24), or run rtt with a Node >= 22.12\n`,
    );
  });

  it("a re-executed Node that is old too stops with one line, no loop", { skip }, async () => {
    if (old === undefined) return;
    const cwd = makeTempDir("rtt-anywhere-");
    const r = await run(old.path, [RTT_BIN, "init"], {
      cwd,
      env: { RTT_REEXEC_NODE: old.path },
    });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `rtt: needs Node.js >= 22.12, and ${old.path} is ${old.version}; run \`npm ci --prefix ${REPO}\` to install the Node 24 RTT pins\n`,
    );
  });
});
