import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ApiProcess, LISTEN_ENV } from "./api-process.ts";
import { HttpTarget } from "./http-endpoints.ts";

// A real API program: answers with its working folder, on the socket it is told; it also
// starts a grandchild, which close() must end with the rest of the group.
const SERVER = `import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
writeFileSync("grandchild.pid", String(child.pid));
createServer((req, res) => res.end(process.cwd() + " " + req.url)).listen(process.env.${LISTEN_ENV});`;

function gone(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return true;
  return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

async function eventually(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

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
    await eventually("the grandchild ended", () => gone(grandchild));
    assert.equal(existsSync(api.socketPath), false, "its socket file is removed");
    assert.equal(api.err, undefined, "a closed api is not an error");
  });

  it("reports the program's own exit", async () => {
    const api = await ApiProcess.start({ argv: [process.execPath, "server.mjs"], cwd: dir });
    const grandchild = Number(readFileSync(join(dir, "grandchild.pid"), "utf8"));
    process.kill(api.pid ?? -1, "SIGKILL");
    const until = Date.now() + 5000;
    while (api.err === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(api.err, "api process killed by SIGKILL");
    await api.close();
    await eventually("the orphaned grandchild ended", () => gone(grandchild));
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
});
