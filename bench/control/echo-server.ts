/**
 * The peer of bench/control: a bare @grpc/grpc-js server on a Unix socket, in its own process as
 * the panel is, answering a unary echo and a server stream of N small messages. Raw bytes, no
 * protobuf, no handler work: what is left is gRPC's and the socket's cost.
 * Usage: node echo-server.ts SOCKET_PATH — prints "ready" on stdout; exits when stdin closes.
 */
import * as grpc from "@grpc/grpc-js";
import { LOCAL_SERVER_OPTIONS } from "@rtt/connector-sdk";
import { ECHO_SERVICE } from "./common.ts";

const path = process.argv[2];
if (path === undefined) throw new Error("usage: echo-server.ts SOCKET_PATH");

/** A symbol on the wire is ~100 bytes; the stream's messages are that size. */
const ITEM = Buffer.alloc(100, 0x61);

const server = new grpc.Server(LOCAL_SERVER_OPTIONS);
server.addService(ECHO_SERVICE, {
  Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
    cb(null, call.request),
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
