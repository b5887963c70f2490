/**
 * A lane's socket is for the lane's peer only (docs/adr/0020-local-sockets.md): another user
 * cannot reach it through its private folder, and — were the folder and socket opened — is cut
 * off by the peer-uid gate while the listener keeps waiting for the right peer.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { connectAsOtherUser, OTHER_UID, otherUserSkip } from "@rtt/core/testing";
import type { LaneAddress, LaneReader } from "../src/index.ts";
import { ALLOW_UIDS_ENV, connectWriter, listenReader } from "../src/index.ts";
import { parseProcNetTcp } from "../src/local-socket/proc-net-tcp.ts";

const skip =
  otherUserSkip() ||
  (process.env.RTT_NO_NATIVE === "1" ? "the native addon (SO_PEERCRED) is disabled" : false);

/** The socket path of a uds lane, or of an shm lane's doorbell. */
const socketOf = (a: LaneAddress): string => ("path" in a ? a.path : "");

describe("a lane's socket and another user", { skip }, () => {
  // Short, so it is used as is; made 0700 by the lane, opened below by the test.
  const base = mkdtempSync("/tmp/rtt-lp-");
  chmodSync(base, 0o711); // so only the lane's own folder stands in the way
  after(() => rmSync(base, { recursive: true, force: true }));

  for (const kind of ["uds", "shm"] as const) {
    test(`${kind}: refused at the folder, then at the gate, and the owner still connects`, async () => {
      const previous = process.umask(0);
      let listener: Awaited<ReturnType<typeof listenReader>> | undefined;
      try {
        const dir = join(base, kind);
        listener = await listenReader(kind, { dir });
        const path = socketOf(listener.address);
        assert.equal(dirname(path), dir);
        assert.equal(statSync(path).mode & 0o777, 0o600, "0600 even under umask 000");
        assert.equal(statSync(dir).mode & 0o777, 0o700);
        assert.deepEqual(await connectAsOtherUser([path]), { [path]: "EACCES" });

        // With the folder and the socket opened up, only the uid check is left.
        chmodSync(dir, 0o711);
        chmodSync(path, 0o777);
        assert.deepEqual(await connectAsOtherUser([path]), { [path]: "closed" });

        const writer = await connectWriter(listener.address);
        const reader: LaneReader = await listener.accepted;
        const got = new Promise<string>((resolve) =>
          reader.once("frame", (f) => resolve(Buffer.from(f.payload).toString())),
        );
        writer.write(Buffer.from("owner"));
        assert.equal(await got, "owner");
        await writer.end();
      } finally {
        process.umask(previous);
        listener?.close();
      }
    });
  }
});

// TCP lanes read the peer's uid from /proc/net/tcp, not SO_PEERCRED: no native addon needed.
describe("a tcp lane and another user", { skip: otherUserSkip() }, () => {
  test("tcp: bound to 127.0.0.1 only; another uid is cut off and logged, the owner connects", async () => {
    const lines = captureStderr();
    const listener = await listenReader("tcp");
    try {
      assert.equal(listener.address.kind, "tcp");
      const port = "port" in listener.address ? listener.address.port : 0;
      // The kernel's own word: listening on 127.0.0.1, not on 0.0.0.0 or ::.
      const listening = parseProcNetTcp(
        `${readFileSync("/proc/net/tcp", "utf8")}${readFileSync("/proc/net/tcp6", "utf8")}`,
      ).filter((e) => e.localPort === port && e.state === TCP_LISTEN);
      assert.deepEqual(
        listening.map((e) => e.localAddress),
        ["127.0.0.1"],
      );

      const target = `tcp://127.0.0.1:${port}`;
      assert.deepEqual(await connectAsOtherUser([target]), { [target]: "closed" });
      const refusals = lines.taken().filter((l) => l.includes("tcp lane"));
      assert.equal(refusals.length, 1, refusals.join("\n"));
      assert.match(refusals[0] ?? "", /from uid 65534 \(pid unknown\)/);

      const writer = await connectWriter(listener.address);
      const reader: LaneReader = await listener.accepted;
      const got = new Promise<string>((resolve) =>
        reader.once("frame", (f) => resolve(Buffer.from(f.payload).toString())),
      );
      writer.write(Buffer.from("owner"));
      assert.equal(await got, "owner");
      await writer.end();
    } finally {
      lines.restore();
      listener.close();
    }
  });

  test("tcp: a uid in RTT_ALLOW_UIDS is the lane's peer", async () => {
    const previous = process.env[ALLOW_UIDS_ENV];
    process.env[ALLOW_UIDS_ENV] = String(OTHER_UID);
    const listener = await listenReader("tcp");
    try {
      const port = "port" in listener.address ? listener.address.port : 0;
      const target = `tcp://127.0.0.1:${port}`;
      // The lane takes the other user's connection: it is held, not cut off.
      const taken = listener.accepted.then((reader) => {
        reader.on("error", () => {}); // the client's HTTP/2 preface is no frame, then it leaves
        return reader;
      });
      const [seen, reader] = await Promise.all([connectAsOtherUser([target]), taken]);
      assert.deepEqual(seen, { [target]: "held" });
      reader.close();
    } finally {
      if (previous === undefined) delete process.env[ALLOW_UIDS_ENV];
      else process.env[ALLOW_UIDS_ENV] = previous;
      listener.close();
    }
  });
});

/** The kernel's TCP state number for a listening socket. */
const TCP_LISTEN = 10;

/** Collects what this process writes to stderr (where the gate logs by default) until restored. */
function captureStderr(): { taken(): string[]; restore(): void } {
  const write = process.stderr.write.bind(process.stderr);
  let text = "";
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += String(chunk);
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return {
    taken: () => text.split("\n").filter((l) => l !== ""),
    restore: () => {
      process.stderr.write = write;
    },
  };
}
