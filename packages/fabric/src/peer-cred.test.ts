import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { peerCredentials } from "./peer-cred.ts";

const skip = process.env.RTT_NO_NATIVE === "1" ? "native addon disabled" : false;

/** Accepts one connection on a fresh Unix socket from `connect(path)` and returns its socket. */
async function acceptOne(
  connect: (path: string) => void,
): Promise<{ socket: Socket; done(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "rtt-peer-"));
  const path = join(dir, "s.sock");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  connect(path);
  const socket = await accepted;
  return {
    socket,
    done() {
      socket.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("peerCredentials names the child process that connected, not this one", { skip }, async () => {
  let child: ReturnType<typeof spawn> | undefined;
  const { socket, done } = await acceptOne((path) => {
    // A real other process: connects, then waits until killed.
    child = spawn(
      process.execPath,
      ["-e", `require("net").connect(${JSON.stringify(path)}); setInterval(() => {}, 1000)`],
      { stdio: "ignore" },
    );
  });
  try {
    const got = peerCredentials(socket);
    assert.ok(got.ok, got.ok ? "" : got.reason);
    assert.equal(got.peer.pid, child?.pid);
    assert.notEqual(got.peer.pid, process.pid);
    assert.equal(got.peer.uid, process.getuid?.());
    assert.equal(got.peer.gid, process.getgid?.());
  } finally {
    child?.kill();
    done();
  }
});

test("a socket without a descriptor gives a reason, not an identity", { skip }, async () => {
  const { socket, done } = await acceptOne((path) => {
    spawn(process.execPath, ["-e", `require("net").connect(${JSON.stringify(path)})`], {
      stdio: "ignore",
    });
  });
  socket.destroy();
  const got = peerCredentials(socket);
  done();
  assert.equal(got.ok, false);
  assert.match(got.ok ? "" : got.reason, /no file descriptor/);
});

test("with the addon disabled the lookup gives the reason (the caller is then unknown)", async () => {
  const script = `
    import { createServer, connect } from "node:net";
    import { peerCredentials } from ${JSON.stringify(new URL("./peer-cred.ts", import.meta.url).href)};
    const path = process.argv[1];
    const server = createServer((s) => {
      console.log(JSON.stringify(peerCredentials(s)));
      s.destroy(); server.close(); client.destroy();
    });
    let client;
    server.listen(path, () => { client = connect(path); });`;
  const dir = mkdtempSync(join(tmpdir(), "rtt-peer-off-"));
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", script, join(dir, "s.sock")],
    {
      env: { ...process.env, RTT_NO_NATIVE: "1", NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
  });
  await new Promise((resolve) => child.on("close", resolve));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(JSON.parse(out), {
    ok: false,
    reason: "native addon disabled by RTT_NO_NATIVE=1",
    noAddon: true,
  });
});
