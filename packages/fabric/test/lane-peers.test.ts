/**
 * A lane's socket is for the lane's peer only (docs/adr/0020-local-sockets.md): another user
 * cannot reach it through its private folder, and — were the folder and socket opened — is cut
 * off by the peer-uid gate while the listener keeps waiting for the right peer.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { connectAsOtherUser, otherUserSkip } from "@rtt/core/testing";
import type { LaneAddress, LaneReader } from "../src/index.ts";
import { connectWriter, listenReader } from "../src/index.ts";

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
