/**
 * Api programs that listen on loopback TCP (tcp-upstream.ts): a real `python3 -m http.server`
 * started with `{port}`, and a server of another uid on a port, which the driver never talks to.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isAlive } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { ApiProcess } from "./api-process.ts";
import { httpConnector } from "./driver.ts";
import { HttpTarget, POOL } from "./http-endpoints.ts";
import {
  connectOwnServer,
  freeLoopbackPort,
  OwnServerAgent,
  ownServerAccepts,
  PORT_ENV,
  wantsTcpPort,
  withPort,
} from "./tcp-upstream.ts";

const havePython = spawnSync("python3", ["--version"]).status === 0;
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0 && process.platform === "linux";

describe("api programs on loopback TCP", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rtt-tcp-api-"));
    writeFileSync(join(dir, "hello.txt"), "hello from the folder\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("{port} is what asks for a port, and every {port} in an argument is replaced", () => {
    assert.equal(wantsTcpPort(["python3", "-m", "http.server", "{port}"]), true);
    assert.equal(wantsTcpPort(["env", "PORT={port}", "node", "server.js"]), true);
    assert.equal(wantsTcpPort(["node", "server.mjs"]), false);
    assert.deepEqual(withPort(["a", "--listen=127.0.0.1:{port}", "{port}{port}"], 8123), [
      "a",
      "--listen=127.0.0.1:8123",
      "81238123",
    ]);
  });

  it("python3 -m http.server {port} is started on a free port, served from x-cwd, and ended", {
    skip: havePython ? false : "no python3",
  }, async () => {
    const api = await ApiProcess.start({
      argv: ["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"],
      cwd: dir,
    });
    const port = api.port ?? -1;
    try {
      assert.ok(port > 0, "a port was picked");
      assert.deepEqual(api.address, { host: "127.0.0.1", port });
      const target = new HttpTarget(api.address, 5000, new OwnServerAgent(port, POOL));
      const r = await target.send({ method: "GET", path: "/hello.txt" });
      target.close();
      assert.equal(r.status, 200);
      assert.equal(Buffer.from(r.body ?? "", "base64").toString(), "hello from the folder\n");
    } finally {
      await api.close();
    }
    assert.ok(!isAlive(api.pid ?? -1), "the server is ended with the link");
    assert.equal(await ownServerAccepts(port), false, "nothing listens on its port any more");
  });

  it("a program that listens beyond loopback (http.server without --bind) is refused and ended", {
    skip: havePython ? false : "no python3",
  }, async () => {
    let port = -1;
    await assert.rejects(
      ApiProcess.start({ argv: ["python3", "-m", "http.server", "{port}"], cwd: dir }),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "RTT_ERR_LANE_ADDRESS");
        const m = /listens on (\S+):(\d+), beyond loopback/.exec(error.message);
        assert.ok(m !== null, error.message);
        assert.match(m[1] ?? "", /^(0\.0\.0\.0|\[::\])$/);
        assert.match(error.hint ?? "", /--bind 127\.0\.0\.1/);
        port = Number(m[2]);
        return true;
      },
    );
    assert.equal(await ownServerAccepts(port), false, "the program was ended");
  });

  it("the port is in RTT_HTTP_PORT too; the checked pool keeps its connection alive", async () => {
    // Answers with the port it was told in RTT_HTTP_PORT and the client port of the connection.
    const server = `require("node:http").createServer((q, s) => s.end(process.env.${PORT_ENV} + " " + q.socket.remotePort)).listen(Number(process.argv[1]), "127.0.0.1")`;
    const api = await ApiProcess.start({ argv: [process.execPath, "-e", server, "{port}"] });
    const target = new HttpTarget(api.address, 5000, new OwnServerAgent(api.port ?? -1, POOL));
    try {
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await target.send({ method: "GET", path: "/" });
        answers.push(Buffer.from(r.body ?? "", "base64").toString());
      }
      const [told, client] = (answers[0] ?? "").split(" ");
      assert.equal(told, String(api.port));
      assert.deepEqual(
        answers,
        [0, 1, 2].map(() => `${told} ${client}`),
        "one connection, reused",
      );
    } finally {
      target.close();
      await api.close();
    }
  });

  it("a program that never listens on its port times out naming the port", async () => {
    await assert.rejects(
      ApiProcess.start({
        argv: [process.execPath, "-e", "setInterval(() => {}, 1000)", "{port}"],
        startTimeoutMs: 300,
      }),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "RTT_ERR_DRIVER_TIMEOUT");
        assert.match(error.message, /did not listen on 127\.0\.0\.1:\d+ \(RTT_HTTP_PORT\)/);
        assert.match(error.hint ?? "", /127\.0\.0\.1 at the port given for \{port\}/);
        return true;
      },
    );
  });

  it("the start wait stays within the panel's Open call: 7 s by default, start_timeout_ms up to it", async () => {
    const saddr = "rtt://demo/api/silent@1.0.0";
    const symbol = {
      saddr,
      type: "api",
      direction: "provider",
      "x-run": [process.execPath, "-e", "setInterval(() => {}, 1000)", "{port}"],
    } as const;
    await assert.rejects(
      Promise.resolve().then(() => httpConnector.open(symbol, { start_timeout_ms: "8000" }, {})),
      {
        code: "RTT_ERR_DOC_SCHEMA",
        message: /start_timeout_ms "8000" is not a number of milliseconds from 1 to 7000/,
      },
    );
    // A program that never listens is named as such, before the panel would give up on Open.
    await assert.rejects(
      Promise.resolve().then(() => httpConnector.open(symbol, {}, {})),
      {
        code: "RTT_ERR_DRIVER_TIMEOUT",
        message: /did not listen on 127\.0\.0\.1:\d+ \(RTT_HTTP_PORT\) within 7000 ms/,
      },
    );
  });

  it("a server of another uid on the port is refused before a byte is written", {
    skip: isRoot ? false : "needs root to run a listener as nobody",
  }, async () => {
    const port = await freeLoopbackPort();
    // Another user's server on that port: it reports any request it gets on stdout.
    const foreign = spawn(
      process.execPath,
      [
        "-e",
        `require("node:net").createServer((c) => c.on("data", (d) => process.stdout.write("GOT " + d))).listen(${port}, "127.0.0.1", () => console.log("up"))`,
      ],
      { uid: NOBODY, gid: NOBODY, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    foreign.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      await eventually(() => out.includes("up"), { what: "nobody's server listens" });
      await assert.rejects(connectOwnServer(port), {
        code: "RTT_ERR_SOCKET_UNSAFE",
        message: new RegExp(
          `refused the server on 127\\.0\\.0\\.1:${port}: it belongs to uid ${NOBODY}`,
        ),
      });
      await assert.rejects(ownServerAccepts(port), { code: "RTT_ERR_SOCKET_UNSAFE" });
      const target = new HttpTarget({ host: "127.0.0.1", port }, 2000, new OwnServerAgent(port));
      const r = await target.send({ method: "POST", path: "/secret", body: "c2VjcmV0" });
      target.close();
      assert.equal(r.status, 502, "no answer from a foreign server");
      assert.match(Buffer.from(r.body ?? "", "base64").toString(), /belongs to uid 65534/);
      assert.doesNotMatch(out, /GOT/, "the foreign server got no byte of the request");
    } finally {
      foreign.kill("SIGKILL");
    }
  });
});
