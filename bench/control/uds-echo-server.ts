/**
 * The framed channel's peer in bench/control: a bare Node `net` server on a Unix socket, in its
 * own process as the panel is, answering each frame (the control channel's own codec,
 * @rtt/connector-sdk framed/frame.ts) with a response frame of the same body. No protobuf, no
 * dispatch, no handler: what is left is the socket's, the event loop's and the codec's cost,
 * so the panel's framed Status ÷ this is the panel's own.
 * Usage: node uds-echo-server.ts SOCKET_PATH — prints "ready" on stdout; exits when stdin closes.
 */
import { createServer } from "node:net";
import { encodeFrame, FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: uds-echo-server.ts SOCKET_PATH");

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  socket.on("data", (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) socket.write(encodeFrame({ ...f, kind: "response" }));
  });
  socket.on("error", () => socket.destroy());
});
server.listen(path, () => process.stdout.write("ready\n"));
process.stdin.resume();
process.stdin.on("end", () => server.close());
