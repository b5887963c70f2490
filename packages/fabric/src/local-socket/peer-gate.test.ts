import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { connectAsOtherUser, OTHER_UID, otherUserSkip } from "@rtt/core/testing";
import fc from "fast-check";
import { admitPeer, admitTcpPeer, formatAllowUids, parseAllowUids } from "./peer-gate.ts";

const skip =
  otherUserSkip() ||
  (process.env.RTT_NO_NATIVE === "1" ? "the native addon (SO_PEERCRED) is disabled" : false);

describe("admitting a peer by its uid", { skip }, () => {
  // An open folder and socket: only the gate stands between another user and the server.
  const dir = mkdtempSync(join(tmpdir(), "rtt-gate-"));
  chmodSync(dir, 0o777);
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(allowUids: readonly number[]) {
    const lines: string[] = [];
    const admitted: Socket[] = [];
    const server = createServer((socket) => {
      if (!admitPeer(socket, { what: "test", allowUids, log: (l) => lines.push(l) })) return;
      admitted.push(socket);
      socket.end("hi");
    });
    const path = join(dir, `s-${allowUids.length}.sock`);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    chmodSync(path, 0o777);
    return { path, lines, admitted, close: () => server.close() };
  }

  test("another uid is cut off at once and logged once with its uid and pid", async () => {
    const s = await serve([]);
    try {
      assert.deepEqual(await connectAsOtherUser([s.path]), { [s.path]: "closed" });
      assert.equal(s.admitted.length, 0);
      assert.equal(s.lines.length, 1, s.lines.join("\n"));
      assert.match(
        s.lines[0] ?? "",
        /refused a connection to the test socket from uid 65534 \(pid \d+\)/,
      );
    } finally {
      s.close();
    }
  });

  test("a uid in allow_uids is let in", async () => {
    const s = await serve([OTHER_UID]);
    try {
      assert.deepEqual(await connectAsOtherUser([s.path]), { [s.path]: "answered" });
      assert.deepEqual(s.lines, []);
    } finally {
      s.close();
    }
  });
});

describe("admitting a loopback TCP peer by the uid in /proc/net/tcp", {
  skip: otherUserSkip(),
}, () => {
  async function serve(allowUids: readonly number[]) {
    const lines: string[] = [];
    const admitted: Socket[] = [];
    const server = createServer((socket) => {
      admitTcpPeer(socket, { what: "test", allowUids, log: (l) => lines.push(l) }, () => {
        admitted.push(socket);
        socket.end("hi");
      });
    });
    await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const { port } = server.address() as { port: number };
    return { target: `tcp://127.0.0.1:${port}`, lines, admitted, close: () => server.close() };
  }

  test("another uid is cut off at once and logged once, pid unknown", async () => {
    const s = await serve([]);
    try {
      assert.deepEqual(await connectAsOtherUser([s.target]), { [s.target]: "closed" });
      assert.equal(s.admitted.length, 0);
      assert.equal(s.lines.length, 1, s.lines.join("\n"));
      assert.match(
        s.lines[0] ?? "",
        /refused a connection to the test socket from uid 65534 \(pid unknown\): only uid 0 may/,
      );
    } finally {
      s.close();
    }
  });

  test("a uid in allow_uids is let in, and so is the owner", async () => {
    const s = await serve([OTHER_UID]);
    try {
      assert.deepEqual(await connectAsOtherUser([s.target]), { [s.target]: "answered" });
      const owner = connect({ host: "127.0.0.1", port: Number(s.target.split(":")[2]) });
      const said = await new Promise<string>((resolve) =>
        owner.once("data", (d) => resolve(`${d}`)),
      );
      assert.equal(said, "hi");
      owner.destroy();
      assert.equal(s.admitted.length, 2);
      assert.deepEqual(s.lines, []);
    } finally {
      s.close();
    }
  });
});

test("a TCP peer missing from /proc/net/tcp is looked up once more, then refused", {
  skip: process.platform !== "linux" || process.getuid === undefined ? "Linux only" : false,
}, async () => {
  // A socket whose peer is in no table: port 0 is never a connected endpoint.
  const lines: string[] = [];
  let admitted = false;
  const gone = new Promise<void>((resolve) => {
    const fake = {
      remoteAddress: "127.0.0.1",
      remotePort: 0,
      localAddress: "127.0.0.1",
      localPort: 0,
      destroyed: false,
      destroy: () => resolve(),
    };
    admitTcpPeer(fake as unknown as Socket, { what: "test", log: (l) => lines.push(l) }, () => {
      admitted = true;
    });
    assert.deepEqual(lines, [], "not refused before the second look");
  });
  await gone;
  assert.equal(admitted, false);
  assert.deepEqual(lines, [
    "rtt: refused a connection to the test socket from 127.0.0.1:0: its owner is not in /proc/net/tcp",
  ]);
});

test("RTT_ALLOW_UIDS: what formatAllowUids writes, parseAllowUids reads back", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 4294967294 })), (uids) => {
      assert.deepEqual(parseAllowUids(formatAllowUids(uids)), uids);
    }),
  );
  assert.deepEqual(parseAllowUids("1000, x, -1, 2.5,,7"), [1000, 7]);
  assert.deepEqual(parseAllowUids(undefined), []);
});
