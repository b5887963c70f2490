/**
 * The peer of bench/control: a bare @grpc/grpc-js server on a Unix socket, in its own process as
 * the panel is, answering a unary echo, a server stream of N small messages and — given another
 * echo server and a folder — the flip's peer, Relay (see ECHO_SERVICE). Raw bytes, no protobuf,
 * no handler work: what is left is gRPC's, the socket's and the disk's cost.
 * Usage: node echo-server.ts SOCKET_PATH [NEXT_SOCKET_PATH DIR] — prints "ready" on stdout;
 * exits when stdin closes.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { LOCAL_CHANNEL_OPTIONS, LOCAL_SERVER_OPTIONS } from "@rtt/connector-sdk";
import { ECHO_SERVICE } from "./common.ts";

const [path, next, dir] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: echo-server.ts SOCKET_PATH [NEXT_SOCKET DIR]");

/** A symbol on the wire is ~100 bytes; the stream's messages are that size. */
const ITEM = Buffer.alloc(100, 0x61);
/** A WAL commit record of the quickstart's graph is ~2 KiB, an audit record ~0.5 KiB. */
const COMMIT = Buffer.alloc(2090, 0x62);
const AUDIT = Buffer.alloc(528, 0x63);

/** Relay: the next server's Echo, then the two appends, each fsynced, then the answer. */
function relayTo(nextSocket: string, folder: string): grpc.handleUnaryCall<Buffer, Buffer> {
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
  const client = new Client(
    `unix:${nextSocket}`,
    grpc.credentials.createInsecure(),
    LOCAL_CHANNEL_OPTIONS,
  );
  const wal = openSync(join(folder, "relay-wal"), "a", 0o600);
  const audit = join(folder, "relay-audit");
  return (call, callback) => {
    client.makeUnaryRequest(
      ECHO_SERVICE.Echo.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      call.request,
      (error) => {
        if (error) return callback(error);
        writeSync(wal, COMMIT);
        fsyncSync(wal);
        // The audit ledger is opened per append, as the panel's is.
        const fd = openSync(audit, "a", 0o644);
        writeSync(fd, AUDIT);
        fsyncSync(fd);
        closeSync(fd);
        callback(null, call.request);
      },
    );
  };
}

const server = new grpc.Server(LOCAL_SERVER_OPTIONS);
server.addService(ECHO_SERVICE, {
  Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
    cb(null, call.request),
  Relay:
    next === undefined || dir === undefined
      ? (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
          cb({ code: grpc.status.UNIMPLEMENTED, details: "started without a next server" })
      : relayTo(next, dir),
  Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
    const n = call.request[0] ?? 1;
    for (let i = 0; i < n; i++) call.write(ITEM);
    call.end();
  },
});
server.bindAsync(`unix:${path}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
  process.stdout.write("ready\n");
});
process.stdin.resume();
process.stdin.on("end", () => server.forceShutdown());
