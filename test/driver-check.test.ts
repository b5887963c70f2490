// `rtt driver check` (docs/connectors.md): every built-in driver passes every check; each
// purpose-broken driver fails the check for what it breaks, with the reason.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CheckResult, checkDriver, DRIVER_CHECKS } from "@rtt/connector-sdk";
import type { Contract } from "@rtt/core";
import { driverLaunch } from "@rtt/panel";
import { NatsServer, skipWithoutNats } from "./support/nats-server.ts";
import { REPO, runRtt } from "./support/run-rtt.ts";

const FIXTURES = join(REPO, "packages/connector-sdk/test/fixtures");
const dir = mkdtempSync(join(tmpdir(), "rtt-driver-check-"));
let upstream: Server;
let port = 0;

before(async () => {
  // The http driver's target: answers each request with its path and body.
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (b: Buffer) => {
      body += b.toString();
    });
    req.on("end", () => res.end(`${req.url} ${body}`));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  port = (upstream.address() as { port: number }).port;
});
after(() => {
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The built-in driver `name`, found as the panel finds it. */
const builtIn = (name: string) => driverLaunch(join(dir, ".rtt", "drivers"), name);
const fixture = (name: string) => driverLaunch(FIXTURES, name);

function verdicts(results: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.name, `${r.verdict}: ${r.why}`]));
}

function assertAllPass(results: readonly CheckResult[]): void {
  assert.deepEqual(
    results.map((r) => r.name),
    [...DRIVER_CHECKS],
    "every check ran, in order",
  );
  const bad = results.filter((r) => r.verdict !== "pass");
  assert.deepEqual(bad, [], JSON.stringify(verdicts(results), null, 2));
}

function failed(results: readonly CheckResult[], name: string): string {
  const r = results.find((x) => x.name === name);
  assert.equal(r?.verdict, "fail", `${name}: ${JSON.stringify(verdicts(results), null, 2)}`);
  return r.why;
}

describe("rtt driver check: the built-in drivers pass", () => {
  it("process (a `cat` symbol)", async () => {
    const contract = {
      saddr: "rtt://check/proc/cat@1.0.0",
      type: "proc",
      direction: "both",
      "x-run": ["cat"],
      "x-cwd": dir,
    } as Contract;
    assertAllPass(await checkDriver(builtIn("process"), { contract }));
  });

  it("file (a file its tail reads back)", async () => {
    const path = join(dir, "log.ndjson");
    writeFileSync(path, "");
    const contract = {
      saddr: "rtt://check/file/log@1.0.0#ndjson",
      type: "file",
      direction: "both",
      "x-path": path,
      "x-allow-paths": [dir],
    } as Contract;
    assertAllPass(await checkDriver(builtIn("file"), { contract }));
  });

  it("stub (answers requests from its examples)", async () => {
    const contract = {
      saddr: "rtt://check/api/metrics@1.0.0",
      type: "api",
      direction: "provider",
      io: "req",
      "x-examples": [{ response: { status: 200 } }],
    } as Contract;
    const message = '{"method":"GET","path":"/{i}"}';
    assertAllPass(await checkDriver(builtIn("stub"), { contract, message }));
  });

  it("http (a loopback upstream)", async () => {
    const contract = {
      saddr: "rtt://check/api/echo@1.0.0",
      type: "api",
      direction: "provider",
      io: "req",
      "x-url": `http://127.0.0.1:${port}`,
    } as Contract;
    const message = '{"method":"POST","path":"/{i}","body":"eA=="}';
    assertAllPass(await checkDriver(builtIn("http"), { contract, message }));
  });
});

const PYTHON = "/usr/bin/python3";
const skipWithoutPythonGrpc =
  spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"]).status === 0
    ? false
    : `${PYTHON} cannot import grpc: install python3-grpcio (scripts/ensure-test-deps.sh)`;

describe("rtt driver check: drivers in other languages and on other machines pass", () => {
  it("the Python SDK's echo example, through the wrapper its install writes", {
    skip: skipWithoutPythonGrpc,
  }, async () => {
    const sdk = join(REPO, "sdk/python");
    execFileSync(PYTHON, ["-m", "rtt_connector", "install", join(sdk, "examples/echo.py"), dir], {
      env: { ...process.env, PYTHONPATH: sdk },
    });
    assertAllPass(await checkDriver(driverLaunch(join(dir, ".rtt", "drivers"), "pyecho")));
  });

  it("nats (a bus on a loopback server): what a bus can show passes, none fails", {
    skip: skipWithoutNats,
  }, async () => {
    const server = await NatsServer.start();
    try {
      const contract = {
        saddr: "rtt://check/bus/loop@1.0.0",
        type: "bus",
        direction: "both",
        io: "pubsub",
        "x-url": server.url,
        "x-subject": "rtt.check.loop",
      } as Contract;
      const results = await checkDriver(builtIn("nats"), { contract });
      assert.deepEqual(
        results.filter((r) => r.verdict === "fail"),
        [],
        JSON.stringify(verdicts(results), null, 2),
      );
      // A link is a publisher or a subscriber, never both: the checks that read back what
      // the symbol was sent skip, and say why.
      assert.match(
        results.find((r) => r.name === "bind")?.why ?? "",
        /produced nothing from 10 messages/,
      );
      for (const name of ["open", "target-uds", "target-tcp", "delivered-mark", "grace-exit"])
        assert.equal(results.find((r) => r.name === name)?.verdict, "pass", name);
    } finally {
      await server.stop();
    }
  });
});

describe("rtt driver check: purpose-broken drivers fail with the reason", () => {
  it("a driver that starts without the cookie", async () => {
    const results = await checkDriver(fixture("cookie-ignoring-driver"));
    assert.match(failed(results, "cookie"), /without RTT_DRIVER_COOKIE, it started anyway/);
    assert.equal(results.find((r) => r.name === "switch-exactly-once")?.verdict, "pass");
  });

  it("a Switch that duplicates a frame", async () => {
    const results = await checkDriver(fixture("dup-switch-driver"));
    assert.match(failed(results, "switch-exactly-once"), /arrived twice across the Switch/);
    assert.equal(results.find((r) => r.name === "cookie")?.verdict, "pass");
  });

  it("no EOS on Close", async () => {
    const results = await checkDriver(fixture("no-eos-driver"));
    assert.match(failed(results, "close-eos"), /Close ended the outbound lane without EOS/);
  });

  it("no line on descriptor 3: the CLI says so and exits 1", async () => {
    const r = await runRtt(
      ["driver", "check", join(FIXTURES, "no-line-driver.ts"), "--start-timeout", "3000", "--json"],
      { cwd: dir, timeoutMs: 60_000 },
    );
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: CheckResult[] };
    assert.equal(out.ok, false);
    assert.match(
      failed(out.checks, "handshake-line"),
      /did not write its handshake on descriptor 3/,
    );
    assert.equal(out.checks.find((c) => c.name === "get-info")?.verdict, "skip");
  });
});
