import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server } from "node:net";
import { describe, it } from "node:test";
import { ownUid } from "./private-dir.ts";
import { tcpListeners } from "./tcp-peer.ts";

const listen = (server: Server, host: string, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      const a = server.address();
      resolve(typeof a === "object" && a !== null ? a.port : -1);
    });
  });

describe("tcpListeners", { skip: process.platform !== "linux" ? "Linux only" : false }, () => {
  it("finds the listeners on a port, with their address and uid, and only while they listen", async () => {
    const server = createServer();
    const port = await listen(server, "127.0.0.1");
    // A connection to it (two more entries on the port's side) is no listener.
    const client = connect({ host: "127.0.0.1", port });
    await once(client, "connect");
    try {
      assert.deepEqual(
        tcpListeners(port).map((e) => ({ address: e.localAddress, uid: e.uid })),
        [{ address: "127.0.0.1", uid: ownUid() }],
      );
      const other = createServer();
      const wildcard = await listen(other, "0.0.0.0");
      try {
        assert.deepEqual(
          tcpListeners(wildcard).map((e) => e.localAddress),
          ["0.0.0.0"],
        );
      } finally {
        other.close();
      }
    } finally {
      client.destroy();
      await new Promise((r) => server.close(r));
    }
    assert.deepEqual(tcpListeners(port), []);
  });
});
