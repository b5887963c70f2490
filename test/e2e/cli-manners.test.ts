/**
 * How the `rtt` command line behaves as a Unix tool (docs/design.md §The command line), with the
 * real binary: exit codes (0 ok, 1 failure, 2 usage), errors with a code and a hint, --help with
 * examples, -C, colour only on a TTY and never with NO_COLOR, and incremental rescans. An old
 * Node running the bin: rtt-anywhere.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { acquireDirLock } from "../../packages/panel/src/wal/lock.ts";
import {
  ANSI_CSI,
  available,
  makeTempDir,
  manifest,
  parseJson,
  positionOf,
  REPO,
  RTT_BIN,
  removeTempDirs,
  run,
  runRtt,
  shellQuote,
  workspaceAbove,
  writeFile,
} from "./helpers.ts";

after(removeTempDirs);

const SAMPLE = "rtt://core/api/metrics@1.0.0";

async function initialised(): Promise<string> {
  const ws = makeTempDir();
  const r = await runRtt(["init"], { cwd: ws });
  assert.equal(r.code, 0, r.stderr);
  return ws;
}

describe("usage errors exit 2", () => {
  let cwd = "";
  before(() => {
    cwd = makeTempDir();
  });

  it("an unknown command", async () => {
    const r = await runRtt(["frobnicate"], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "error: unknown command 'frobnicate'\n");
  });

  it("a misspelt command, with a suggestion", async () => {
    const r = await runRtt(["scna"], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "error: unknown command 'scna'\n(Did you mean scan?)\n");
  });

  it("an invalid --type", async () => {
    const r = await runRtt(["ls", "symbols", "--type", "nope"], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      "error: option '--type <type>' argument 'nope' is invalid. Allowed choices are " +
        "api, hook, plugin, extension, stub, flag, tag, queue, bus, file, proc, service.\n",
    );
  });

  it("an unknown option", async () => {
    const r = await runRtt(["scan", "--bogus"], { cwd });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "error: unknown option '--bogus'\n");
  });
});

describe("failures exit 1 with a code and a hint", () => {
  it("rtt ls symbols without a .rtt/ anywhere above: RTT_ERR_WORKSPACE_NOT_FOUND, hint rtt init", async () => {
    const cwd = makeTempDir();
    assert.equal(workspaceAbove(cwd), undefined, "precondition: no .rtt/ above the temp dir");
    const [human, json] = await Promise.all([
      runRtt(["ls", "symbols"], { cwd }),
      runRtt(["ls", "symbols", "--json"], { cwd }),
    ]);
    assert.equal(human.code, 1);
    assert.equal(human.stdout, "");
    assert.equal(
      human.stderr,
      `rtt: no .rtt/ folder in ${cwd} or any parent (RTT_ERR_WORKSPACE_NOT_FOUND)\n` +
        "  hint: run `rtt init` to create one, or pass -C <folder>\n",
    );
    assert.equal(json.code, 1);
    assert.equal(json.stderr, "");
    assert.deepEqual(parseJson(json.stdout), {
      error: {
        code: "RTT_ERR_WORKSPACE_NOT_FOUND",
        message: `no .rtt/ folder in ${cwd} or any parent`,
        hint: "run `rtt init` to create one, or pass -C <folder>",
      },
    });
  });

  it("rtt ls symbols / ls routes after init but before scan: RTT_ERR_CATALOG_MISSING", async () => {
    const ws = await initialised();
    const results = await Promise.all([
      runRtt(["ls", "symbols"], { cwd: ws }),
      runRtt(["ls", "routes"], { cwd: ws }),
    ]);
    for (const r of results) {
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        "rtt: no symbol catalog yet (RTT_ERR_CATALOG_MISSING)\n  hint: run `rtt scan` first\n",
      );
    }
  });
});

describe("a broken .rtt/routes.json", () => {
  const ROUTES = `{
  "routes": [
    { "id": "r1", "from": "rtt://ui/hook/refresh", "to": "rtt://core/apix/metrics" }
  ]
}
`;
  let ws = "";
  before(async () => {
    ws = await initialised();
    const scan = await runRtt(["scan"], { cwd: ws });
    assert.equal(scan.code, 0, scan.stderr);
    writeFile(ws, ".rtt/routes.json", ROUTES);
  });

  it("rtt ls routes exits 1 with file:line:col at the bad address", async () => {
    const r = await runRtt(["ls", "routes"], { cwd: ws });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    const at = positionOf(ROUTES, "apix");
    assert.match(
      r.stderr,
      new RegExp(
        `^\\.rtt/routes\\.json:${at.line}:${at.column}: error RTT_ERR_DOC_SCHEMA: bad address "rtt://core/apix/metrics" at column 12: .*\\n  hint: did you mean "api"\\?\\n$`,
      ),
    );
  });

  it("rtt ls routes --json reports the failure as JSON on stdout, like every other --json failure", async () => {
    const r = await runRtt(["ls", "routes", "--json"], { cwd: ws });
    assert.equal(r.code, 1);
    // Regression: this path once printed human text on stderr and nothing on stdout.
    assert.notEqual(r.stdout, "", `stdout is empty; stderr: ${r.stderr}`);
    const parsed = parseJson(r.stdout);
    assert.ok(JSON.stringify(parsed).includes("RTT_ERR_DOC_SCHEMA"), r.stdout);
  });
});

describe("help and version", () => {
  let cwd = "";
  before(() => {
    cwd = makeTempDir();
  });

  it("--help exits 0 and shows the commands and examples", async () => {
    const r = await runRtt(["--help"], { cwd });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^Usage: rtt \[options\] \[command\]\n/);
    for (const command of ["init [options] [dir]", "scan [options]", "ls ", "completion <shell>"]) {
      assert.ok(r.stdout.includes(`\n  ${command}`), command);
    }
    assert.ok(
      r.stdout.endsWith(
        "\nExamples:\n" +
          "  rtt init                      lay out .rtt/ in this folder\n" +
          "  rtt scan                      index every manifest under the workspace\n" +
          "  rtt ls symbols 'rtt://core/*/*' --type api\n" +
          "  rtt ls routes --json          each route and what its ends resolve to\n" +
          "  rtt -C examples/quickstart scan\n",
      ),
      r.stdout,
    );
  });

  it("--version prints the CLI package's version", async () => {
    const { version } = JSON.parse(
      readFileSync(join(REPO, "packages/cli/package.json"), "utf8"),
    ) as { version: string };
    const r = await runRtt(["--version"], { cwd });
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, `${version}\n`);
  });
});

describe("-C <dir>", () => {
  it("acts as if started in <dir>, for init, scan and ls", async () => {
    const parent = makeTempDir();
    const ws = join(parent, "ws");
    mkdirSync(ws);
    const init = await runRtt(["-C", "ws", "init", "--json"], { cwd: parent });
    assert.equal(init.code, 0, init.stderr);
    assert.equal((parseJson(init.stdout) as { root: string }).root, ws);
    const scan = await runRtt(["-C", "ws", "scan", "--json"], { cwd: parent });
    assert.equal(scan.code, 0, scan.stderr);
    const report = parseJson(scan.stdout) as { root: string; symbols: number };
    assert.equal(report.root, ws);
    assert.equal(report.symbols, 1);
    const [ls, lsLong] = await Promise.all([
      runRtt(["-C", "ws", "ls", "symbols", "--json"], { cwd: parent }),
      runRtt(["--dir", ws, "ls", "symbols", "--json"], { cwd: makeTempDir() }),
    ]);
    for (const r of [ls, lsLong]) {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (parseJson(r.stdout) as { saddr: string }[]).map((s) => s.saddr),
        [SAMPLE],
      );
    }
    assert.equal(existsSync(join(parent, ".rtt")), false);
  });
});

describe("the hot commands (panel status, ls routes, scan) read argv as commander does", () => {
  /** Each spelling: the plain one (parsed without commander) and one commander parses. */
  const spellings = (words: string[], dir: string, more: string[] = []) => [
    ["-C", dir, ...words, ...more],
    [...words, ...more, "-C", dir],
  ];

  it("the same output and exit either way, with and without --json", async () => {
    const parent = makeTempDir();
    mkdirSync(join(parent, "ws"));
    assert.equal((await runRtt(["-C", "ws", "init"], { cwd: parent })).code, 0);
    assert.equal((await runRtt(["-C", "ws", "scan"], { cwd: parent })).code, 0);
    for (const words of [
      ["panel", "status"],
      ["ls", "routes"],
    ])
      for (const more of [[], ["--json"]]) {
        const [plain, parsed] = await Promise.all(
          spellings(words, "ws", more).map((args) => runRtt(args, { cwd: parent })),
        );
        assert.deepEqual(plain, parsed, `${words.join(" ")} ${more.join(" ")}`);
        assert.equal(plain?.code, words[0] === "panel" ? 1 : 0);
      }
  });

  it("scan: the same report and exit either way, with each of its flags", async () => {
    const parent = makeTempDir();
    mkdirSync(join(parent, "ws"));
    assert.equal((await runRtt(["-C", "ws", "init"], { cwd: parent })).code, 0);
    // Scanned once first: every scan below then finds the manifest unchanged.
    assert.equal((await runRtt(["-C", "ws", "scan"], { cwd: parent })).code, 0);
    // The time a scan took is the one thing that differs between two runs.
    const untimed = (r: Awaited<ReturnType<typeof runRtt>>) => ({
      ...r,
      stdout: r.stdout.replace(/("duration_ms": |in )\d+/g, "$1N"),
    });
    for (const more of [[], ["--json"], ["--local"], ["--local", "--json"]]) {
      // One after the other: two scans of one workspace at once would race for its cache.
      const plain = untimed(await runRtt(["-C", "ws", "scan", ...more], { cwd: parent }));
      const parsed = untimed(await runRtt(["scan", ...more, "-C", "ws"], { cwd: parent }));
      assert.deepEqual(plain, parsed, `scan ${more.join(" ")}`);
      assert.equal(plain.code, 0);
    }
  });

  it("-C at a missing folder or a file: the same usage error either way", async () => {
    const cwd = makeTempDir();
    writeFile(cwd, "file", "");
    for (const dir of ["missing", "file", ""]) {
      const [plain, parsed] = await Promise.all(
        spellings(["panel", "status"], dir).map((args) => runRtt(args, { cwd })),
      );
      assert.equal(plain?.code, 2, plain?.stderr);
      assert.deepEqual(plain, parsed);
      assert.match(plain?.stderr ?? "", /RTT_ERR_USAGE/);
    }
  });

  it("anything but the plain spelling is commander's: help, an unknown flag, a stray word", async () => {
    const cwd = makeTempDir();
    const help = await runRtt(["panel", "status", "--help"], { cwd });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: rtt panel status \[options\]/);
    const flag = await runRtt(["ls", "routes", "--jsn"], { cwd });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--jsn'/);
    const extra = await runRtt(["panel", "status", "now"], { cwd });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /too many arguments/);
  });
});

describe("colour only on a TTY, never with NO_COLOR", () => {
  let ws = "";
  before(async () => {
    ws = await initialised();
    // Two identical claims: scan then prints a (coloured, on a TTY) warning on stderr.
    writeFile(ws, "a/rtt.manifest.json", manifest("rtt://app/api/twice@1.0.0"));
    writeFile(ws, "b/rtt.manifest.json", manifest("rtt://app/api/twice@1.0.0"));
  });

  it("with NO_COLOR=1 and no TTY, no output has an ANSI escape", async () => {
    const env = { NO_COLOR: "1" };
    const fresh = makeTempDir();
    const results = [
      await runRtt(["init"], { cwd: fresh, env }),
      await runRtt(["scan"], { cwd: ws, env }),
      await runRtt(["ls", "symbols"], { cwd: ws, env }),
      await runRtt(["ls", "routes"], { cwd: ws, env }),
      await runRtt(["ls", "symbols"], { cwd: makeTempDir(), env }),
    ];
    assert.deepEqual(
      results.map((r) => r.code),
      [0, 0, 0, 0, 1],
    );
    // The scan did print its warning, and ls its table: there was text to colour.
    assert.match(results[1]?.stderr ?? "", /^b\/rtt\.manifest\.json:\d+:\d+: warning /);
    assert.match(results[2]?.stdout ?? "", /\n2 symbols\n$/);
    for (const r of results) {
      assert.equal(r.stdout.includes(ANSI_CSI), false, r.stdout);
      assert.equal(r.stderr.includes(ANSI_CSI), false, r.stderr);
    }
  });

  it("without NO_COLOR but through pipes (no TTY), still no ANSI escape", async () => {
    const env = { NO_COLOR: undefined, TERM: "xterm-256color" };
    const [scan, ls] = [
      await runRtt(["scan"], { cwd: ws, env }),
      await runRtt(["ls", "symbols"], { cwd: ws, env }),
    ];
    for (const r of [scan, ls]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.includes(ANSI_CSI), false, r.stdout);
      assert.equal(r.stderr.includes(ANSI_CSI), false, r.stderr);
    }
  });

  // A real pseudo-terminal, through util-linux `script`: -q quiet, -e its exit code, -c command.
  const noScript = available("script", ["--version"]) ? false : "no util-linux `script` for a TTY";
  const onTty = (command: string, env: Readonly<Record<string, string | undefined>>) =>
    run("script", ["-qec", command, "/dev/null"], { cwd: ws, env });
  const rtt = (args: string) => `${shellQuote(process.execPath)} ${shellQuote(RTT_BIN)} ${args}`;
  const ttyEnv = { NO_COLOR: undefined, TERM: "xterm-256color" };

  it("on a TTY it colours, and NO_COLOR=1 turns that off", { skip: noScript }, async () => {
    const coloured = await onTty(rtt("ls symbols"), ttyEnv);
    assert.equal(coloured.code, 0, coloured.stdout);
    assert.ok(coloured.stdout.includes(`${ANSI_CSI}2m2 symbols`), JSON.stringify(coloured.stdout));
    const plain = await onTty(rtt("ls symbols"), { ...ttyEnv, NO_COLOR: "1" });
    assert.equal(plain.code, 0, plain.stdout);
    assert.match(plain.stdout, /\r\n2 symbols\r\n$/);
    assert.equal(plain.stdout.includes(ANSI_CSI), false, JSON.stringify(plain.stdout));
  });

  it("stdout on a TTY, stderr to a file: the file gets no ANSI escape", {
    skip: noScript,
  }, async () => {
    const log = join(makeTempDir(), "stderr.log");
    const r = await onTty(`${rtt("scan")} 2>${shellQuote(log)}`, ttyEnv);
    assert.equal(r.code, 0, r.stdout);
    const stderr = readFileSync(log, "utf8");
    assert.match(stderr, /warning RTT_ERR_SCAN_CONFLICT/);
    // Regression: colour was once decided by stdout alone and applied to stderr too.
    assert.equal(stderr.includes(ANSI_CSI), false, JSON.stringify(stderr));
  });
});

describe("rescans read only what changed", () => {
  let ws = "";
  let app = "";
  const APP = "rtt://app/api/counter@1.0.0";
  before(async () => {
    ws = await initialised();
    app = writeFile(ws, "app/rtt.manifest.json", manifest(APP));
  });

  async function scanJson(): Promise<Record<string, unknown>> {
    const r = await runRtt(["scan", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    return parseJson(r.stdout) as Record<string, unknown>;
  }
  const counts = (r: Record<string, unknown>) => ({
    reread: r.reread,
    cached: r.cached,
    catalog_written: r.catalog_written,
    symbols: r.symbols,
  });
  const catalogPath = () => join(ws, ".rtt/cache/catalog.json");

  it("the first scan reads every manifest", async () => {
    assert.deepEqual(counts(await scanJson()), {
      reread: 2,
      cached: 0,
      catalog_written: true,
      symbols: 2,
    });
  });

  it('a rescan with nothing changed reports "reread": 0 and leaves the catalog file alone', async () => {
    const before = statSync(catalogPath());
    assert.deepEqual(counts(await scanJson()), {
      reread: 0,
      cached: 2,
      catalog_written: false,
      symbols: 2,
    });
    const after = statSync(catalogPath());
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(after.ino, before.ino);
  });

  it("a touched but unchanged manifest is re-read, and the catalog is not rewritten", async () => {
    const later = new Date(statSync(app).mtimeMs + 10_000);
    utimesSync(app, later, later);
    assert.deepEqual(counts(await scanJson()), {
      reread: 1,
      cached: 1,
      catalog_written: false,
      symbols: 2,
    });
  });

  it('after editing one manifest, "reread": 1 and the catalog shows the edit', async () => {
    writeFile(ws, "app/rtt.manifest.json", manifest(APP, { capabilities: ["pull"] }));
    assert.deepEqual(counts(await scanJson()), {
      reread: 1,
      cached: 1,
      catalog_written: true,
      symbols: 2,
    });
    const ls = await runRtt(["ls", "symbols", APP, "--json"], { cwd: ws });
    assert.equal(ls.code, 0, ls.stderr);
    assert.deepEqual(
      (parseJson(ls.stdout) as { saddr: string; capabilities: string[] }[]).map((s) => [
        s.saddr,
        s.capabilities,
      ]),
      [[APP, ["pull"]]],
    );
  });
});

describe("a panel that cannot start", () => {
  it("says why from what this start wrote to the log, not an earlier run's lines", async () => {
    const ws = await initialised();
    // The WAL's lock held by a live process (this one) that serves no socket: only the daemon,
    // opening the WAL, finds out. (A damaged WAL is refused before the daemon is started, with
    // the hint to salvage it: test/faults/wal-disk-full.test.ts.)
    mkdirSync(join(ws, ".rtt", "wal"), { recursive: true });
    const lock = acquireDirLock(join(ws, ".rtt", "wal", "LOCK"));
    try {
      writeFile(ws, ".rtt/panel.log", "a stale line from an earlier run\n");
      const r = await runRtt(["panel", "start"], { cwd: ws });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, /the panel exited \(1\) while starting/);
      assert.match(r.stderr, /RTT_ERR_WAL_LOCKED/);
      assert.doesNotMatch(r.stderr, /stale line/);
    } finally {
      lock.release();
    }
  });
});
