/**
 * Discovery as a new user meets it (ADR 0026): a folder with no manifest for its programs — a
 * Python project, a shebang filter script, a FIFO and a systemd unit — scanned by the real binary.
 * The indexers find them with their provenance; `--explain` says why the packaging claim beat the
 * parser's; a route to the discovered filter plans with its argv and where it was found, applies,
 * and carries real lines through `tr`; `rtt adopt` turns it into a manifest the next scan reads.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { makeTempDir, manifest, parseJson, removeTempDirs, runRtt, writeFile } from "./helpers.ts";

const UPPER = "rtt://bin/proc/upper@0.0.0";
const GREET = "rtt://greet/proc/greet@1.2.0";
const TICKS = "rtt://demo/bus/ticks@1.0.0";

interface ListedSymbol {
  readonly saddr: string;
  readonly type: string;
  readonly found_by: string;
  readonly score: number;
  readonly source: { readonly file: string; readonly line?: number };
  readonly extensions?: Record<string, unknown>;
}

let ws = "";
const rtt = (args: string[]) => runRtt(args, { cwd: ws });

after(async () => {
  if (ws !== "") await rtt(["panel", "stop"]);
  removeTempDirs();
});

describe("discovery in a workspace with no manifests for its programs", () => {
  before(async () => {
    ws = makeTempDir();
    assert.equal((await rtt(["init"])).code, 0);
    writeFile(
      ws,
      "greet/pyproject.toml",
      '[project]\nname = "greet"\nversion = "1.2.0"\n\n[project.scripts]\ngreet = "greet.cli:main"\n',
    );
    writeFile(ws, "greet/greet/__init__.py", "");
    writeFile(
      ws,
      "greet/greet/cli.py",
      'import click\n\n# @click.command() in a comment is no claim\n@click.command(name="greet")\ndef main():\n    print("hello")\n',
    );
    // A filter: reads lines, writes them upper-cased to a file beside it, line by line.
    writeFile(
      ws,
      "bin/upper",
      '#!/bin/sh\nwhile IFS= read -r line; do printf "%s\\n" "$line" | tr a-z A-Z >> "$(dirname "$0")/upper.out"; done\n',
    );
    chmodSync(join(ws, "bin/upper"), 0o755);
    writeFile(ws, "bin/notes", "#!/bin/sh\necho not executable, so not a program\n");
    assert.equal(spawnSync("mkfifo", [join(ws, "inbox.fifo")]).status, 0);
    writeFile(
      ws,
      "units/greeter.service",
      "[Unit]\nDescription=Greets\n\n[Service]\nExecStart=/usr/bin/env python3 -m greet.cli --loud\n",
    );
    writeFile(
      ws,
      "emitter/rtt.manifest.json",
      manifest(TICKS, {
        type: "bus",
        direction: "provider",
        capabilities: ["push", "stream"],
        io: "stream",
        "x-run": ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done"],
      }),
    );
  });

  it("rtt scan finds each program with who found it, where, and its score", async () => {
    const scan = await rtt(["scan"]);
    assert.equal(scan.code, 0, scan.stderr);
    assert.match(scan.stdout, /discovered/);
    const listed = parseJson((await rtt(["ls", "symbols", "--json"])).stdout) as ListedSymbol[];
    const by = new Map(listed.map((s) => [s.saddr, s]));
    const upper = by.get(UPPER);
    assert.equal(upper?.found_by, "indexer:shebang");
    assert.equal(upper?.score, 0.6);
    assert.deepEqual([upper?.source.file, upper?.source.line], ["bin/upper", 1]);
    assert.deepEqual(upper?.extensions?.["x-run"], ["./upper"]);
    const greet = by.get(GREET);
    assert.equal(greet?.found_by, "indexer:python-packaging");
    assert.deepEqual([greet?.source.file, greet?.source.line], ["greet/pyproject.toml", 6]);
    const unit = listed.find((s) => s.found_by === "indexer:systemd");
    assert.deepEqual(unit?.extensions?.["x-run"], [
      "/usr/bin/env",
      "python3",
      "-m",
      "greet.cli",
      "--loud",
    ]);
    assert.ok(
      listed.some((s) => s.found_by === "indexer:ipc" && s.source.file === "inbox.fifo"),
      "the FIFO is a file symbol",
    );
    assert.ok(!listed.some((s) => s.source.file === "bin/notes"), "not executable: no claim");
  });

  it("chmod +x alone makes a script a program the next scan finds; chmod -x unmakes it", async () => {
    // Neither the size nor the mtime changes: only the mode, which the scan state must notice.
    const found = async () => {
      const scan = await rtt(["scan"]);
      assert.equal(scan.code, 0, scan.stderr);
      const listed = parseJson((await rtt(["ls", "symbols", "--json"])).stdout) as ListedSymbol[];
      return listed.some((s) => s.source.file === "bin/notes");
    };
    chmodSync(join(ws, "bin/notes"), 0o755);
    assert.equal(await found(), true, "executable now: claimed");
    chmodSync(join(ws, "bin/notes"), 0o644);
    assert.equal(await found(), false, "not executable again: no claim");
  });

  it("--explain shows the packaging claim outranking the parser's on one address", async () => {
    const r = await rtt(["scan", "--explain", GREET, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = parseJson(r.stdout) as {
      catalogued: boolean;
      claims: { source: string; file: string; line: number; verdict: string }[];
    };
    assert.equal(out.catalogued, true);
    const verdicts = out.claims.map((c) => [c.source, `${c.file}:${c.line}`, c.verdict]);
    assert.deepEqual(verdicts.find((v) => v[0] === "indexer:python-packaging")?.[2], "won");
    const parsed = verdicts.find((v) => v[0] === "indexer:python-source");
    assert.deepEqual(parsed?.slice(1), ["greet/greet/cli.py:4", "outranked"]);
  });

  it("a route to the discovered filter plans with its argv and provenance, and carries lines", async () => {
    writeFile(
      ws,
      ".rtt/routes.json",
      JSON.stringify({ routes: [{ id: "ticks-to-upper", from: TICKS, to: UPPER }] }),
    );
    // rtt init's policy allows only calls to apis: let the bus feed programs too.
    writeFile(
      ws,
      ".rtt/policy.json",
      JSON.stringify({ allow: [{ from: "rtt://demo/bus/*", to: "rtt://bin/proc/*" }] }),
    );
    const plan = await rtt(["plan"]);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /discovered by indexer:shebang at bin\/upper:1/);
    assert.match(plan.stdout, /runs \["\.\/upper"\] in bin/);
    const apply = await rtt(["apply", "--auto-approve"]);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const out = join(ws, "bin/upper.out");
    await eventually(() => existsSync(out) && readFileSync(out, "utf8").split("\n").length > 5, {
      what: "upper-cased ticks in bin/upper.out",
      timeoutMs: 15_000,
    });
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.ok(
      lines.every((l) => /^TICK \d+$/.test(l)),
      lines.slice(0, 3).join(" | "),
    );
  });

  it("rtt adopt writes a manifest that the scan then declares the symbol from", async () => {
    const r = await rtt(["adopt", UPPER, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const listed = parseJson((await rtt(["ls", "symbols", "--json"])).stdout) as ListedSymbol[];
    const upper = listed.find((s) => s.saddr === UPPER);
    assert.equal(upper?.found_by, "manifest");
    const from = upper?.extensions?.["x-discovered-from"] as Record<string, unknown>;
    assert.deepEqual(from, { indexer: "shebang", file: "bin/upper", line: 1, score: 0.6 });
  });
});
