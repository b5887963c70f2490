// The Python SDK (sdk/python) against the TypeScript one, as real processes over real lanes:
// sdk/python/examples/echo.py served by `python3 -m rtt_connector serve`, wired to the
// TypeScript echo fixture in both directions over tcp through QuickConnect, a Switch that moves
// its outbound exactly once, EOS on Close, heartbeats, error trailers, the cookie and version
// refusals, the grace-period exit, and the contract hash it checks a SYN against.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Contract, contractHash, type RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { listenReader } from "@rtt/fabric";
import fc from "fast-check";
import { COOKIE_ENV, COOKIE_VALUE } from "../src/handshake/protocol.ts";
import { DriverClient } from "../src/host/driver-client.ts";
import { DriverHost } from "../src/host/driver-host.ts";
import { echo } from "./fixtures/echo-driver.ts";
import { inProcessDrivers, receive } from "./helpers.ts";

const PYTHON = "/usr/bin/python3";
const SDK = fileURLToPath(new URL("../../../sdk/python/", import.meta.url));
const ECHO_PY = `${SDK}examples/echo.py`;
const PY_ECHO = "rtt://demo/api/pyecho@1.0.0";
const TS_ECHO = "rtt://demo/api/echo@1.0.0";
const PY_CONTRACT: Contract = { saddr: PY_ECHO, type: "api", direction: "both" };
const TS_CONTRACT: Contract = { saddr: TS_ECHO, type: "api", direction: "both" };
const ENV = { PYTHONPATH: SDK };

const noGrpc = spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"]).status !== 0;
const skip = noGrpc && `${PYTHON} cannot import grpc: install python3-grpcio`;

const startInProcess = inProcessDrivers();
const hosts: DriverHost[] = [];
after(async () => {
  for (const h of hosts) await h.stop();
});

async function launchPython(): Promise<DriverHost> {
  const host = await DriverHost.launch(
    { name: "pyecho", command: PYTHON, args: ["-m", "rtt_connector", "serve", ECHO_PY], env: ENV },
    { heartbeatMs: 50 },
  );
  hosts.push(host);
  return host;
}

const text = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

describe("a Python driver (sdk/python)", { skip }, () => {
  test("GetInfo says who it is: the handshake's pid and nonce", async () => {
    const py = await launchPython();
    const info = await py.client.info();
    assert.equal(info.name, "pyecho");
    assert.equal(info.pid, py.record.pid);
    assert.equal(info.nonce, py.record.nonce);
    assert.equal(info.start_time, py.record.startTime);
    const [symbol] = await py.client.probe("/anywhere");
    assert.equal(symbol?.contract_hash, contractHash(PY_CONTRACT));
  });

  test("as a route's source over tcp: QuickConnect to a TypeScript target, then its frames", async () => {
    const py = await launchPython();
    const ts = await startInProcess(echo, { heartbeatMs: 50 });
    const tsLink = await ts.client.open(TS_ECHO, { contract: TS_CONTRACT });
    const pyLink = await py.client.open(PY_ECHO, { contract: PY_CONTRACT });
    // A refused handshake uses up its Offer: the panel offers again for the next attempt.
    const refusing = await ts.client.offerWithHandshake(
      await ts.client.open(TS_ECHO, { contract: TS_CONTRACT }),
      "tcp",
    );
    await assert.rejects(
      py.client.handshake(pyLink, {
        control: refusing.control,
        data: refusing.address,
        expectSaddr: TS_ECHO,
        expectContractHash: "0".repeat(64),
      }),
      (e: RttError) => e.code === "RTT_ERR_QC_REFUSED" && /contract/.test(e.message),
    );
    const offered = await ts.client.offerWithHandshake(tsLink, "tcp");
    const ask = { control: offered.control, data: offered.address, expectSaddr: TS_ECHO };
    const agreed = await py.client.handshake(pyLink, {
      ...ask,
      expectContractHash: contractHash(TS_CONTRACT),
    });
    assert.equal(agreed.lane, "tcp");

    const out = await listenReader("uds");
    await ts.client.bind(tsLink, { outbound: out.address });
    const got = receive(await out.accepted);
    await py.client.bind(pyLink, { outbound: offered.address });
    for (const m of text(50)) await py.client.tx(pyLink, Buffer.from(m));
    await eventually(() => got.data.length === 50, { what: "50 through python, then ts" });
    assert.deepEqual(got.data, text(50));
    await py.client.close(pyLink);
    await ts.client.close(tsLink);
  });

  test("as a route's target over tcp: answers QuickConnect, echoes, Switch moves it exactly once, EOS on Close", async () => {
    const py = await launchPython();
    const ts = await startInProcess(echo, { heartbeatMs: 50 });
    const pyLink = await py.client.open(PY_ECHO, { contract: PY_CONTRACT });
    const tsLink = await ts.client.open(TS_ECHO, { contract: TS_CONTRACT });
    const refusing = await py.client.offerWithHandshake(
      await py.client.open(PY_ECHO, { contract: PY_CONTRACT }),
      "tcp",
    );
    await assert.rejects(
      ts.client.handshake(tsLink, {
        control: refusing.control,
        data: refusing.address,
        expectSaddr: PY_ECHO,
        expectContractHash: "f".repeat(64),
      }),
      (e: RttError) => e.code === "RTT_ERR_QC_REFUSED" && /contract/.test(e.message),
    );
    const offered = await py.client.offerWithHandshake(pyLink, "tcp");
    const ask = { control: offered.control, data: offered.address, expectSaddr: PY_ECHO };
    const agreed = await ts.client.handshake(tsLink, {
      ...ask,
      expectContractHash: contractHash(PY_CONTRACT),
    });
    assert.deepEqual([agreed.lane, agreed.capacity], ["tcp", 0]);

    const first = await listenReader("tcp");
    const firstP = first.accepted.then(receive);
    await py.client.bind(pyLink, { outbound: first.address });
    const old = await firstP;
    // The TypeScript echo's outbound is the Python link's inbound: the route's data lane.
    await ts.client.bind(tsLink, { outbound: offered.address });
    for (const m of text(100)) await ts.client.tx(tsLink, Buffer.from(m));
    await eventually(() => old.data.length === 100, { what: "100 on the first lane" });
    await eventually(() => old.heartbeats > 0, { what: "a heartbeat from python" });

    const second = await listenReader("tcp");
    const freshP = second.accepted.then(receive);
    const sw = await py.client.switch(pyLink, second.address);
    const fresh = await freshP;
    for (const m of text(100, 100)) await ts.client.tx(tsLink, Buffer.from(m));
    await eventually(() => fresh.data.length === 100, { what: "100 on the second lane" });
    await eventually(() => old.ended, { what: "EOS on the first lane" });
    assert.equal(sw.oldFrames, 100);
    assert.deepEqual([...old.data, ...fresh.data], text(200));
    assert.equal(await py.client.close(pyLink), true);
    await eventually(() => fresh.ended, { what: "EOS on the second lane at Close" });
    await ts.client.close(tsLink);
  });

  test("at a route's source, its QoS admits at the rate: over it, taildrop drops and counts", async () => {
    const py = await launchPython();
    const params = {
      "qos.source": PY_ECHO,
      "qos.rate": "5",
      "qos.burst": "3",
      "qos.drop": "taildrop",
    };
    const link = await py.client.open(PY_ECHO, { contract: PY_CONTRACT, params });
    const out = await listenReader("uds");
    await py.client.bind(link, { outbound: out.address });
    const got = receive(await out.accepted);
    for (const m of text(40)) await py.client.tx(link, Buffer.from(m));
    let sample: { drops: number; frames_out: number } | undefined;
    await eventually(
      async () => {
        const stream = py.client.health({ linkId: link });
        for await (const s of stream) {
          sample = s;
          break;
        }
        stream.cancel();
        return sample !== undefined && sample.drops + sample.frames_out === 40;
      },
      { what: "every chunk sent or dropped" },
    );
    assert.ok(sample !== undefined && sample.drops > 0, JSON.stringify(sample));
    assert.equal(got.data.length, sample.frames_out);
    assert.ok(got.data.length >= 3 && got.data.length < 40, `${got.data.length} sent`);
  });

  test("a failed call carries its RTT code in the trailers", async () => {
    const py = await launchPython();
    await assert.rejects(
      py.client.switch("no-such-link", undefined),
      (e: RttError) => e.code === "RTT_ERR_DRIVER_LINK" && /no-such-link/.test(e.message),
    );
  });

  test("refuses to run by hand, and refuses a host with no protocol version in common", () => {
    const args = ["-m", "rtt_connector", "serve", ECHO_PY];
    const byHand = spawnSync(PYTHON, args, { env: { ...process.env, ...ENV }, encoding: "utf8" });
    assert.equal(byHand.status, 1);
    assert.match(byHand.stderr, /not meant to be run by hand/);
    const env = { ...process.env, ...ENV, [COOKIE_ENV]: COOKIE_VALUE, RTT_PROTOCOL_VERSIONS: "2" };
    const wrong = spawnSync(PYTHON, args, {
      env,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    assert.equal(wrong.status, 1);
    assert.match(
      String(wrong.output[3]),
      /^RTT-REFUSED\|RTT_ERR_DRIVER_VERSION\|.*no version in common/,
    );
  });

  test("exits 0 after its grace period once its host is gone", async () => {
    const env = {
      ...process.env,
      ...ENV,
      [COOKIE_ENV]: COOKIE_VALUE,
      RTT_PROTOCOL_VERSIONS: "1",
      RTT_DRIVER_GRACE_MS: "200",
    };
    const child = spawn(PYTHON, ["-m", "rtt_connector", "serve", ECHO_PY], {
      env,
      stdio: ["pipe", "ignore", "pipe", "pipe"],
    });
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    const [line] = await once(fd3, "data");
    assert.match(String(line), /^RTT\|1\|1\|unix\|/);
    const exited = once(child, "exit");
    child.stdin?.end(); // the host is gone: no stdin, no Health stream
    const [code] = await exited;
    assert.equal(code, 0);
  });

  test("a print after the host's pipes broke does not fail the call (EPIPE is swallowed)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-py-epipe-"));
    const file = join(dir, "loud.py");
    writeFileSync(
      file,
      [
        "from rtt_connector import define_connector",
        "loud = define_connector(name='loud', version='1.0.0', tx=lambda link, data, meta: print('got', data, flush=True))",
        "",
      ].join("\n"),
    );
    const env = { ...process.env, ...ENV, [COOKIE_ENV]: COOKIE_VALUE, RTT_PROTOCOL_VERSIONS: "1" };
    const child = spawn(PYTHON, ["-m", "rtt_connector", "serve", file], {
      env,
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    try {
      const [line] = await once(child.stdio[3] as NodeJS.ReadableStream, "data");
      const socket = String(line).split("|")[4] as string;
      // What a dead panel leaves: nobody reads the driver's stdout and stderr any more.
      child.stdout?.destroy();
      child.stderr?.destroy();
      const client = new DriverClient("loud", socket);
      const link = await client.open("rtt://demo/api/loud@1.0.0", {
        contract: { saddr: "rtt://demo/api/loud@1.0.0", type: "api", direction: "both" },
      });
      for (let i = 0; i < 3; i++) await client.tx(link, Buffer.from(`m${i}`));
      assert.equal((await client.info()).links, 1);
      client.disconnect();
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("install finds a connector by its rtt_connector entry point and writes .rtt/drivers/<name>", () => {
    // What `pip install` of a package declaring the entry point leaves on the path.
    const site = mkdtempSync(join(tmpdir(), "rtt-py-entry-"));
    const info = join(site, "pyecho_pkg-1.0.dist-info");
    mkdirSync(info);
    writeFileSync(
      join(info, "METADATA"),
      "Metadata-Version: 2.1\nName: pyecho-pkg\nVersion: 1.0\n",
    );
    writeFileSync(join(info, "entry_points.txt"), "[rtt_connector]\npyecho = echo:echo\n");
    const workspace = mkdtempSync(join(tmpdir(), "rtt-py-ws-"));
    const run = (target: string) =>
      spawnSync(PYTHON, ["-m", "rtt_connector", "install", target, workspace], {
        env: { ...process.env, PYTHONPATH: [SDK, site, `${SDK}examples`].join(":") },
        encoding: "utf8",
      });
    const ok = run("entry:pyecho");
    assert.equal(ok.status, 0, ok.stderr);
    const wrapper = readFileSync(join(workspace, ".rtt/drivers/pyecho"), "utf8");
    assert.match(wrapper, /^#!\/bin\/sh\n/);
    assert.match(wrapper, /-m rtt_connector serve entry:pyecho\n$/);
    assert.ok((statSync(join(workspace, ".rtt/drivers/pyecho")).mode & 0o111) !== 0, "executable");
    const missing = run("entry:nothing");
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /no installed package declares the rtt_connector entry point 'nothing'/,
    );
  });

  test("its contract hash is the panel's (RFC 8785 canonical JSON without tags and x- keys)", () => {
    const contract = fc.record({
      saddr: fc.constant("rtt://demo/api/x@1.0.0"),
      type: fc.constantFrom("api", "bus", "file"),
      direction: fc.constantFrom("provider", "consumer", "both"),
      capabilities: fc.option(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/)), {
        nil: undefined,
      }),
      qos: fc.option(
        fc.dictionary(
          fc.string(),
          fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
        ),
        { nil: undefined },
      ),
      tags: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: undefined }),
      "x-note": fc.option(fc.string({ unit: "binary" }), { nil: undefined }),
    });
    const samples = fc
      .sample(contract, 60)
      .map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
    const script =
      "import json, sys\nfrom rtt_connector.contract import contract_hash\n" +
      "print(json.dumps([contract_hash(c) for c in json.load(sys.stdin)]))";
    const run = spawnSync(PYTHON, ["-c", script], {
      env: { ...process.env, ...ENV },
      input: JSON.stringify(samples),
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const hashes = JSON.parse(run.stdout) as string[];
    samples.forEach((c, i) => {
      assert.equal(hashes[i], contractHash(c as unknown as Contract), JSON.stringify(c));
    });
  });
});
