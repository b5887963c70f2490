import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { newSocketPath } from "../lanes/uds/socket-path.ts";
import { ensurePrivateDir, shortSocketDir } from "./private-dir.ts";
import { listenPrivate, MAX_SOCKET_PATH, removeStaleSocket } from "./socket-file.ts";

const posix = process.platform === "win32" ? "no Unix sockets on Windows" : false;
const asRoot = process.getuid?.() === 0 ? false : "changing a folder's owner needs root";
const base = mkdtempSync(join(tmpdir(), "rtt-sock-"));
after(() => rmSync(base, { recursive: true, force: true }));

const unsafe = (pattern: RegExp) => (e: unknown) =>
  e instanceof RttError && e.code === "RTT_ERR_SOCKET_UNSAFE" && pattern.test(e.message);

describe("the private socket folder check", { skip: posix }, () => {
  test("a missing folder is made 0700 and accepted", () => {
    const dir = join(base, "fresh", "sockets");
    assert.equal(ensurePrivateDir(dir), dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  test("a symbolic link to a folder is refused, even one to our own private folder", () => {
    const target = ensurePrivateDir(join(base, "real"));
    const link = join(base, "link");
    symlinkSync(target, link);
    assert.throws(() => ensurePrivateDir(link), unsafe(/symbolic link/));
  });

  test("a folder open to group or others is refused and left as it was", () => {
    const dir = join(base, "open");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    assert.throws(() => ensurePrivateDir(dir), unsafe(/mode is 0755/));
    assert.equal(statSync(dir).mode & 0o777, 0o755);
  });

  test("a folder of another uid is refused", { skip: asRoot }, () => {
    const dir = join(base, "theirs");
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    assert.throws(() => ensurePrivateDir(dir), unsafe(/belongs to uid 65534/));
  });

  test("a file where the folder should be is refused", () => {
    const file = join(base, "a-file");
    writeFileSync(file, "x");
    assert.throws(() => ensurePrivateDir(file), unsafe(/it is not a folder/));
  });

  test("XDG_RUNTIME_DIR is used only when it is private to us", () => {
    const runtime = ensurePrivateDir(join(base, "xdg"));
    assert.equal(shortSocketDir({ XDG_RUNTIME_DIR: runtime }), join(runtime, "rtt"));
    const open = join(base, "xdg-open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.equal(shortSocketDir({ XDG_RUNTIME_DIR: open }), `/tmp/rtt-${process.getuid?.()}`);
    assert.equal(shortSocketDir({}), `/tmp/rtt-${process.getuid?.()}`);
  });
});

describe("choosing a socket path", { skip: posix }, () => {
  test("a folder too deep for sun_path gives a file in the short folder, never an abstract name", () => {
    const deep = join(base, "d".repeat(60), "e".repeat(60));
    for (let i = 0; i < 20; i++) {
      const path = newSocketPath(deep, "driver-echo");
      assert.ok(path.startsWith(`${shortSocketDir()}/driver-echo-`), path);
      assert.ok(!path.includes("\0"));
      assert.ok(Buffer.byteLength(path) <= MAX_SOCKET_PATH);
    }
    assert.equal(existsSync(deep), false, "the deep folder is not made");
  });

  test("a folder that fits is used, made private", () => {
    const dir = join(base, "fits");
    const path = newSocketPath(dir);
    assert.ok(path.startsWith(`${dir}/lane-${process.pid}-`));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  test("a socket folder that is a link is refused, not used", () => {
    const link = join(base, "sockets-link");
    symlinkSync(ensurePrivateDir(join(base, "elsewhere")), link);
    assert.throws(() => newSocketPath(link), unsafe(/symbolic link/));
  });
});

describe("binding and removing sockets", { skip: posix }, () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  test("under umask 000 the socket is still 0600", async () => {
    const previous = process.umask(0);
    try {
      const path = newSocketPath(join(base, "umask"));
      const server = createServer();
      servers.push(server);
      await listenPrivate(server, path);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      process.umask(previous);
    }
  });

  test("a regular file at the path is refused and left intact", () => {
    const file = join(ensurePrivateDir(join(base, "stale")), "panel.sock");
    writeFileSync(file, "precious");
    assert.throws(() => removeStaleSocket(file), unsafe(/not a socket.*left it untouched/));
    assert.equal(readFileSync(file, "utf8"), "precious");
  });

  test("a link at the path is refused and neither it nor its target is touched", () => {
    const dir = ensurePrivateDir(join(base, "stale-link"));
    writeFileSync(join(dir, "target"), "kept");
    symlinkSync(join(dir, "target"), join(dir, "panel.sock"));
    assert.throws(() => removeStaleSocket(join(dir, "panel.sock")), unsafe(/symbolic link/));
    assert.equal(readFileSync(join(dir, "panel.sock"), "utf8"), "kept");
  });

  test("a stale socket of ours is removed; nothing there is fine", async () => {
    const path = join(ensurePrivateDir(join(base, "ours")), "s.sock");
    const server = createServer();
    await listenPrivate(server, path);
    removeStaleSocket(path);
    assert.equal(existsSync(path), false);
    server.close();
    removeStaleSocket(path);
  });

  test("a socket of another uid is refused", { skip: asRoot }, async () => {
    const path = join(ensurePrivateDir(join(base, "their-socket")), "s.sock");
    const server = createServer();
    servers.push(server);
    await listenPrivate(server, path);
    chownSync(path, 65534, 65534);
    assert.throws(() => removeStaleSocket(path), unsafe(/socket of uid 65534/));
    assert.ok(existsSync(path));
  });
});
