import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { isAlive, processRef } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { ApiProcess, LISTEN_ENV, reapOrphanedApis } from "./api-process.ts";
import { HttpTarget } from "./http-endpoints.ts";

// A real API program: answers with its working folder, on the socket it is told; it also
// starts a grandchild, which close() must end with the rest of the group.
const SERVER = `import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
writeFileSync("grandchild.pid", String(child.pid));
createServer((req, res) => res.end(process.cwd() + " " + req.url)).listen(process.env.${LISTEN_ENV});`;

/** Exited: no process, or a zombie (isAlive takes a zombie for gone). */
const gone = (pid: number): boolean => !isAlive(pid);

describe("api process", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rtt-api-"));
    writeFileSync(join(dir, "server.mjs"), SERVER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts the program on a fresh socket in its folder; close ends its group and removes the socket", async () => {
    const api = await ApiProcess.start({ argv: [process.execPath, "server.mjs"], cwd: dir });
    const target = new HttpTarget({ socketPath: api.socketPath });
    const r = await target.send({ method: "GET", path: "/series" });
    target.close();
    assert.equal(r.status, 200);
    assert.equal(Buffer.from(r.body ?? "", "base64").toString(), `${dir} /series`);
    assert.equal(api.err, undefined);
    const pid = api.pid ?? -1;
    const grandchild = Number(readFileSync(join(dir, "grandchild.pid"), "utf8"));
    assert.equal(gone(grandchild), false);
    await api.close();
    assert.ok(gone(pid), "the program is reaped");
    await eventually(() => gone(grandchild), { what: "the grandchild ended" });
    assert.equal(existsSync(api.socketPath), false, "its socket file is removed");
    assert.equal(api.err, undefined, "a closed api is not an error");
  });

  it("its .pid file names the live driver in the earlier format too, so older reapers keep off", async () => {
    const api = await ApiProcess.start({ argv: [process.execPath, "server.mjs"], cwd: dir });
    try {
      const record = JSON.parse(readFileSync(`${api.socketPath}.pid`, "utf8"));
      const self = processRef("self");
      const program = processRef(api.pid ?? -1);
      // What an http driver before the shared program record read: {driver, driverStart, pid, start}.
      assert.deepEqual(
        {
          driver: record.driver,
          driverStart: record.driverStart,
          pid: record.pid,
          start: record.start,
        },
        {
          driver: self.pid,
          driverStart: self.startTime,
          pid: program.pid,
          start: program.startTime,
        },
      );
      assert.deepEqual(record.owner, self);
      assert.equal(record.startTime, program.startTime);
    } finally {
      await api.close();
    }
  });

  it("reports the program's own exit", async () => {
    const api = await ApiProcess.start({ argv: [process.execPath, "server.mjs"], cwd: dir });
    const grandchild = Number(readFileSync(join(dir, "grandchild.pid"), "utf8"));
    process.kill(api.pid ?? -1, "SIGKILL");
    const err = await eventually(() => api.err, { what: "the program's exit reported" });
    assert.equal(err, "api process killed by SIGKILL");
    await api.close();
    await eventually(() => gone(grandchild), { what: "the orphaned grandchild ended" });
  });

  it("a program that exits before listening is a named error with its stderr", async () => {
    await assert.rejects(
      ApiProcess.start({
        argv: [process.execPath, "-e", 'console.error("no port for you"); process.exit(4)'],
      }),
      (error: Error & { code?: string; hint?: string }) => {
        assert.equal(error.code, "RTT_ERR_DRIVER_EXITED");
        assert.match(error.message, /exited with code 4 before listening/);
        assert.match(error.hint ?? "", /no port for you/);
        return true;
      },
    );
  });

  it("a program that never listens times out, and is ended", async () => {
    await assert.rejects(
      ApiProcess.start({
        argv: [process.execPath, "-e", "setInterval(() => {}, 1000)"],
        startTimeoutMs: 300,
      }),
      { code: "RTT_ERR_DRIVER_TIMEOUT", message: /did not listen on RTT_HTTP_LISTEN=/ },
    );
  });

  it("a program that cannot be found is a spawn error", async () => {
    await assert.rejects(ApiProcess.start({ argv: ["/nonexistent/rtt-api-program"] }), {
      code: "RTT_ERR_DRIVER_SPAWN",
    });
  });

  /**
   * A stand-in for an http driver in a process of its own: starts the api (its socket in a
   * temp folder), says where it is, then runs `then` (JavaScript). Ended and cleaned after `use`.
   */
  async function withStandInDriver(
    then: string,
    use: (
      driver: ChildProcess,
      api: { pid: number; socket: string },
      sockets: string,
    ) => Promise<void>,
  ): Promise<void> {
    const sockets = mkdtempSync(join(tmpdir(), "rtt-api-socks-"));
    const module = fileURLToPath(new URL("./api-process.ts", import.meta.url));
    const driver = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { ApiProcess } = await import(${JSON.stringify(module)});
         const api = await ApiProcess.start({ argv: [process.execPath, "server.mjs"], cwd: ${JSON.stringify(dir)}, socketDir: ${JSON.stringify(sockets)} });
         process.stdout.write(JSON.stringify({ pid: api.pid, socket: api.socketPath }) + "\\n", () => { ${then} });`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const line = await new Promise<string>((resolve) =>
        driver.stdout?.once("data", (d: Buffer) => resolve(d.toString())),
      );
      await use(driver, JSON.parse(line) as { pid: number; socket: string }, sockets);
    } finally {
      driver.kill("SIGKILL");
      rmSync(sockets, { recursive: true, force: true });
    }
  }

  it("a driver that exits with an api not closed (a shutdown mid-start) takes it and its socket along", async () => {
    await withStandInDriver("process.exit(0);", async (driver, api) => {
      await eventually(() => gone(driver.pid ?? -1), { what: "the driver exited" });
      await eventually(() => gone(api.pid), { what: "its api ended with it" });
      assert.equal(existsSync(api.socket), false, "its socket is removed");
      assert.equal(existsSync(`${api.socket}.pid`), false, "and its pid file");
    });
  });

  it("a driver that dies without closing leaves its api program; the next driver's reaper ends it", async () => {
    await withStandInDriver("setInterval(() => {}, 1000);", async (driver, api, sockets) => {
      assert.deepEqual(reapOrphanedApis(sockets), [], "a live driver's api is left alone");
      driver.kill("SIGKILL");
      await eventually(() => gone(driver.pid ?? -1), { what: "the driver is dead" });
      assert.equal(gone(api.pid), false, "the api program outlived its driver");
      assert.deepEqual(reapOrphanedApis(sockets), [api.pid]);
      await eventually(() => gone(api.pid), { what: "the orphaned api ended" });
      assert.equal(existsSync(api.socket), false, "its socket is removed");
      assert.equal(existsSync(`${api.socket}.pid`), false, "and its pid file");
    });
  });

  it("a .pid file an earlier http driver wrote (its own format) is reaped the same way", async () => {
    const sockets = mkdtempSync(join(tmpdir(), "rtt-api-socks-"));
    const program = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
      detached: true,
      stdio: "ignore",
    });
    try {
      const pid = program.pid ?? -1;
      const socket = join(sockets, "api-earlier.sock");
      const earlier = (driver: number, driverStart: string) =>
        writeFileSync(
          `${socket}.pid`,
          `${JSON.stringify({ driver, driverStart, pid, start: processRef(pid).startTime })}\n`,
        );
      // The api's socket, as a program left it (only a socket of ours is ever removed).
      const left = createServer();
      await new Promise<void>((resolve) => left.listen(socket, resolve));
      left.unref();
      earlier(process.pid, processRef("self").startTime);
      assert.deepEqual(reapOrphanedApis(sockets), [], "a live driver's api is left alone");
      assert.equal(existsSync(`${socket}.pid`), true);
      earlier(spawnSync("true").pid, "1");
      assert.deepEqual(reapOrphanedApis(sockets), [pid]);
      await eventually(() => gone(pid), { what: "the orphaned api ended" });
      assert.equal(existsSync(socket), false, "its socket is removed");
      assert.equal(existsSync(`${socket}.pid`), false, "and its pid file");
    } finally {
      program.kill("SIGKILL");
      rmSync(sockets, { recursive: true, force: true });
    }
  });
});
