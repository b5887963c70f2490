import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { callerIdentity, whoOf } from "../audit/identity.ts";
import { Callers } from "./callers.ts";

test("a call on an admitted connection is its peer's uid and pid; the client's who is a claim", {
  skip: process.env.RTT_NO_NATIVE === "1" ? "needs the native addon" : false,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "rtt-callers-"));
  const callers = new Callers();
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) =>
    server.once("connection", (s) => {
      callers.admit(s);
      resolve(s);
    }),
  );
  await new Promise<void>((resolve) => server.listen(join(dir, "s"), resolve));
  const client = connect(join(dir, "s"));
  const socket = await accepted;
  try {
    // What grpc-js's getPeer reports for a call on this connection.
    const call = { getPeer: () => String(socket.remoteAddress) };
    const actor = callers.actor(call, "alice@payroll-server", "test");
    assert.match(
      actor.who,
      new RegExp(`^uid=${process.getuid?.()}(\\(\\S+\\))? pid=${process.pid}$`),
    );
    assert.equal(actor.claimedBy, "alice@payroll-server");
    assert.equal(callers.actor(call, "", "t").claimedBy, undefined);
    const stranger = callers.actor({ getPeer: () => "unknown" }, "alice", "t");
    assert.match(stranger.who, /^unknown \(/);
  } finally {
    client.destroy();
    socket.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without peer credentials the caller is unknown with the reason, never the claim", () => {
  const who = whoOf(
    callerIdentity({
      ok: false,
      reason: "native addon disabled by RTT_NO_NATIVE=1",
      noAddon: true,
    }),
  );
  assert.equal(who, "unknown (native addon disabled by RTT_NO_NATIVE=1)");
  assert.equal(whoOf({ kind: "peer", uid: 5, gid: 5, pid: undefined, user: undefined }), "uid=5");
});
