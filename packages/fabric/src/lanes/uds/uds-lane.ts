/**
 * The Unix-socket lane: frames on a stream socket, the default for control and the fallback
 * for data (docs/design.md §Data plane: lanes). The listening end accepts exactly one peer, then
 * stops listening and removes its socket file, so nothing is left for another process to connect
 * to. (Windows: named pipes, which Node's `net` speaks with `\\.\pipe\` paths, behind the same
 * API.)
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { RttError } from "@rtt/core";
import type { LaneAddress, LaneListener, LaneReader, LaneWriter } from "../../lane.ts";
import { admitPeer } from "../../local-socket/peer-gate.ts";
import { listenPrivate, removeOwnSocket } from "../../local-socket/socket-file.ts";
import { StreamLaneReader, StreamLaneWriter } from "../stream/stream-lane.ts";
import { newSocketPath } from "./socket-path.ts";

export interface UdsListenOptions {
  /** Folder for the socket file (default: a per-user temp folder). */
  readonly dir?: string;
  readonly maxPayload?: number;
}

/**
 * Listens on a fresh socket path and resolves with the first admitted peer's socket: a peer of
 * another uid (peer-gate.ts) is cut off and the lane keeps waiting for the right one.
 */
export async function listenOnce(
  dir?: string,
): Promise<{ path: string; socket: Promise<Socket>; close(): void }> {
  const path = newSocketPath(dir);
  const server: Server = createServer();
  const removeFile = () => {
    if (process.platform !== "win32") removeOwnSocket(path);
  };
  await listenPrivate(server, path);
  const socket = new Promise<Socket>((resolve, reject) => {
    const onConnection = (s: Socket) => {
      if (!admitPeer(s, { what: "lane" })) return;
      server.off("connection", onConnection);
      server.close();
      removeFile();
      resolve(s);
    };
    server.on("connection", onConnection);
    server.once("close", () =>
      reject(new RttError("RTT_ERR_LANE_CLOSED", "lane listener closed before a peer connected")),
    );
  });
  socket.catch(() => {});
  return {
    path,
    socket,
    close() {
      server.close();
      removeFile();
    },
  };
}

export function connectSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once("connect", () => resolve(s));
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new RttError(
          "RTT_ERR_LANE_PEER_GONE",
          `cannot connect to lane socket ${JSON.stringify(path)}: ${error.code ?? error.message}`,
        ),
      ),
    );
  });
}

export async function listenUdsWriter(
  options: UdsListenOptions = {},
): Promise<LaneListener<LaneWriter>> {
  const l = await listenOnce(options.dir);
  const accepted = l.socket.then((s) => new StreamLaneWriter("uds", s));
  return { address: { kind: "uds", path: l.path }, accepted, close: l.close };
}

export async function listenUdsReader(
  options: UdsListenOptions = {},
): Promise<LaneListener<LaneReader>> {
  const l = await listenOnce(options.dir);
  const accepted = l.socket.then((s) => new StreamLaneReader("uds", s, options.maxPayload));
  return { address: { kind: "uds", path: l.path }, accepted, close: l.close };
}

export async function connectUdsWriter(
  address: Extract<LaneAddress, { kind: "uds" }>,
): Promise<LaneWriter> {
  return new StreamLaneWriter("uds", await connectSocket(address.path));
}

export async function connectUdsReader(
  address: Extract<LaneAddress, { kind: "uds" }>,
  maxPayload?: number,
): Promise<LaneReader> {
  return new StreamLaneReader("uds", await connectSocket(address.path), maxPayload);
}
