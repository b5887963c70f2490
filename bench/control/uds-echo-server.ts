/**
 * The framed channel's peers in bench/control: a bare Node `net` server on a Unix socket, in its
 * own process as the panel is, answering each frame (the control channel's own codec,
 * @rtt/connector-sdk framed/frame.ts) with a response frame of the same body. No protobuf, no
 * dispatch, no handler: what is left is the socket's, the event loop's and the codec's cost,
 * so the panel's framed Status ÷ this is the panel's own.
 * Given NEXT, it is a relay instead: each frame goes on to the server at NEXT and that server's
 * answer comes back, so a call crosses two processes as a flip does (the client, the panel, the
 * source's driver) with none of a flip's work: the floor this machine's wake-ups set for one.
 * Usage: node uds-echo-server.ts SOCKET_PATH [NEXT] — prints "ready" on stdout; exits when stdin
 * closes.
 */
import { connect, createServer, type Socket } from "node:net";
import { encodeFrame, type Frame, FrameDecoder } from "@rtt/connector-sdk/framed/frame.ts";

const [path, next] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: uds-echo-server.ts SOCKET_PATH [NEXT]");

/** How a frame is answered: at once, or with the next server's answer to it. */
type Answer = (frame: Frame, reply: (frame: Frame) => void) => void;

async function relayTo(socketPath: string): Promise<Answer> {
  const upstream: Socket = connect(socketPath);
  upstream.setNoDelay(true);
  await new Promise<void>((ok, fail) => upstream.once("connect", ok).once("error", fail));
  const decoder = new FrameDecoder();
  const waiting = new Map<number, (frame: Frame) => void>();
  upstream.on("data", (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) {
      waiting.get(f.callId)?.(f);
      waiting.delete(f.callId);
    }
  });
  let id = 0;
  return (frame, reply) => {
    const callId = ++id;
    waiting.set(callId, (answer) => reply({ ...answer, callId: frame.callId }));
    upstream.write(encodeFrame({ ...frame, callId }));
  };
}

const answer: Answer =
  next === undefined
    ? (frame, reply) => reply({ ...frame, kind: "response" })
    : await relayTo(next);
const server = createServer((socket) => {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  socket.on("data", (chunk: Buffer) => {
    for (const f of decoder.push(chunk)) answer(f, (r) => socket.write(encodeFrame(r)));
  });
  socket.on("error", () => socket.destroy());
});
server.listen(path, () => process.stdout.write("ready\n"));
process.stdin.resume();
process.stdin.on("end", () => server.close());
