/**
 * The framed control channel (docs/adr/0029-framed-control-channel.md) on a real panel wiring
 * the quickstart: the same service as gRPC, answered by the same handlers — Status and
 * ListRoutes equal over both transports, an RTT error arrives with its code, message and hint,
 * a Health stream is cancelled and the panel frees its slot, calls in flight at once each get
 * their own answer — and a connection that sends bytes that are no frame gets a typed error.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";
import { decodeErrorBody } from "@rtt/connector-sdk/framed/messages.ts";
import { RttError } from "@rtt/core";
import { PanelConnection } from "@rtt/panel";
import { framedSocketPathOf } from "@rtt/panel/daemon/socket-path.ts";
import { describeRun, RTT_BIN, run } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

/** The Python client needs only the standard library: any python3. */
const noPython =
  spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0
    ? false
    : "no python3 on this machine";
const LIST_MODULES = new URL("../support/list-modules.ts", import.meta.url).pathname;

/** `rtt ARGS` against the panel, and the URLs of every module the process loaded. */
async function rttLoading(args: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), "rtt-modules-"));
  try {
    const out = join(dir, "modules.txt");
    const r = await run(process.execPath, ["--import", LIST_MODULES, RTT_BIN, ...args], {
      cwd: panel.root,
      env: { RTT_TEST_MODULES_OUT: out },
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 0, describeRun(r));
    return { stdout: r.stdout, modules: readFileSync(out, "utf8").split("\n") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let panel: QuickstartPanel;
let framed: PanelConnection;
let grpc: PanelConnection;

before(async () => {
  panel = await startQuickstartPanel();
  framed = new PanelConnection(panel.listen);
  grpc = new PanelConnection(panel.listen, undefined, "grpc");
});

after(async () => {
  framed?.close();
  grpc?.close();
  await panel?.stop();
});

/** What two Status answers share (the uptime-free fields: both come from one panel). */
function comparable(s: Awaited<ReturnType<PanelConnection["status"]>>) {
  return { ...s, drivers: s.drivers.map((d) => ({ ...d, uptime_ms: 0 })) };
}

describe("the framed control channel", () => {
  it("is served beside the gRPC socket, and a connection picks it", () => {
    assert.ok(existsSync(framedSocketPathOf(panel.listen)));
    assert.equal(framed.transport, "framed");
    assert.equal(grpc.transport, "grpc");
  });

  it("answers Status and ListRoutes as gRPC does", async () => {
    const [a, b] = [await framed.status(), await grpc.status()];
    assert.equal(a.routes, 2);
    assert.deepEqual(comparable(a), comparable(b));
    const [ra, rb] = [await framed.routes(), await grpc.routes()];
    assert.deepEqual(
      ra.routes.map((r) => [r.id, r.from, r.to]),
      rb.routes.map((r) => [r.id, r.from, r.to]),
    );
    assert.deepEqual(await framed.listSymbols(), await grpc.listSymbols());
  });

  it("carries an RTT error with the code, message and hint gRPC's trailers carry", async () => {
    const failed = async (conn: PanelConnection) => {
      try {
        await conn.breaker("trip", "not-a-route", "tester");
      } catch (e) {
        assert.ok(e instanceof RttError, String(e));
        return { code: e.code, message: e.message, hint: e.hint };
      }
      assert.fail("a trip of an unwired route succeeded");
    };
    const a = await failed(framed);
    assert.deepEqual(a, await failed(grpc));
    assert.notEqual(a.code, "RTT_ERR_INTERNAL");
    const bad = await framed.breaker("trip", "Bad Route!", "t").catch((e: unknown) => e);
    assert.ok(bad instanceof RttError && bad.code === "RTT_ERR_REQUEST_INVALID", String(bad));
  });

  it("runs many calls in flight on one connection, each answered", async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => framed.status()));
    assert.ok(answers.every((s) => s.routes === 2 && s.pid === answers[0]?.pid));
  });

  it("streams Health until cancelled, then frees the stream", async () => {
    const before = await framed.status();
    const stream = framed.health({ intervalMs: 20 });
    const seen: string[] = [];
    for await (const s of stream) {
      seen.push(s.route);
      if (seen.length >= 5) stream.cancel();
    }
    assert.ok(seen.length >= 5);
    // The panel has ended the call: a new stream on the same connection still gets samples.
    const again = framed.health({ intervalMs: 20 });
    for await (const s of again) {
      assert.ok(s.route !== "");
      break;
    }
    assert.equal((await framed.status()).pid, before.pid);
  });

  it("`rtt panel status` and `rtt ls routes` use it and load no gRPC library", async () => {
    // What each may load at most (issue 20: a CLI that starts fast; 221 and 230 before): the
    // modules of its own path, none of commander, YAML, protobufjs or gRPC. ls routes reads
    // routes.json (its own validator only) and the catalog; its `^1` is read without semver
    // (version-range.ts), whose 19 modules it loaded before.
    const bounds = { "panel status": 31, "ls routes": 59 };
    for (const args of [
      ["panel", "status"],
      ["ls", "routes"],
    ]) {
      const { stdout, modules } = await rttLoading(args);
      const command = args.join(" ") as keyof typeof bounds;
      assert.ok(
        modules.some((m) => m.includes("/framed-channel.ts")),
        `${command} did not use the framed channel`,
      );
      const grpc = modules.filter((m) => /@grpc\/|\/grpc-client\.ts$/.test(m));
      assert.deepEqual(grpc, [], `${command} loaded gRPC`);
      const heavy = modules.filter((m) =>
        /\/node_modules\/(commander|yaml|protobufjs|long)\//.test(m),
      );
      assert.deepEqual(heavy, [], `${command} loaded what its start does without`);
      assert.ok(
        modules.length <= bounds[command],
        `${command} loaded ${modules.length} modules (at most ${bounds[command]}):\n${modules.join("\n")}`,
      );
      assert.match(stdout, args[0] === "ls" ? /events-to-log/ : /2 route\(s\) wired/);
      assert.deepEqual(
        modules.filter((m) => m.includes("/node_modules/")),
        [],
        `${command} loaded an npm package`,
      );
    }
  });

  it("is spoken by a client in Python written from docs/connectors.md alone", {
    skip: noPython,
  }, async () => {
    const script = new URL("./framed_client.py", import.meta.url).pathname;
    const r = await run("python3", [script, framedSocketPathOf(panel.listen)], {
      cwd: panel.root,
      timeoutMs: 30_000,
    });
    assert.equal(r.code, 0, describeRun(r));
    const got = JSON.parse(r.stdout) as Record<string, unknown>;
    const status = await framed.status();
    assert.deepEqual(
      { pid: got.pid, root: got.root, routes: got.routes },
      { pid: status.pid, root: status.root, routes: 2 },
    );
    const tripped = await framed.breaker("trip", "not-wired", "py").catch((e: RttError) => e);
    assert.ok(tripped instanceof RttError);
    assert.deepEqual(got.trip_error, {
      code: tripped.code,
      message: tripped.message,
      ...(tripped.hint === undefined ? {} : { hint: tripped.hint }),
    });
  });

  it("answers bytes that are no frame with a typed error, and closes that connection", async () => {
    const socket = connect(framedSocketPathOf(panel.listen));
    const decoder = new FrameDecoder();
    const frames: ReturnType<FrameDecoder["push"]> = [];
    socket.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.write(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    await closed;
    const [first] = frames;
    assert.equal(first?.kind, "error");
    assert.equal(decodeErrorBody(first.body).code, "RTT_ERR_FRAME_OVERSIZED");
    // Only that connection is closed: the panel answers on others.
    assert.equal((await framed.status()).routes, 2);
  });
});
