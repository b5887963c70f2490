/**
 * An api program that listens on loopback TCP (`{port}` in its `x-run`, or RTT_HTTP_PORT in its
 * environment) rather than on the Unix socket RTT hands it: `python3 -m http.server {port}`.
 *
 * Such a port is no private file: any local user can connect to it, and between the moment the
 * driver picks a free port and the moment the program binds it, another user could take it and
 * answer in its place (docs/adr/0020-local-sockets.md §Api programs on TCP). So the driver talks to the port only
 * through `connectOwnServer`: a connection whose other end, as the kernel's TCP table shows it
 * (/proc/net/tcp, as ADR 0020's TCP lanes read it), belongs to our own uid — checked before a
 * byte of a request is written, on every new connection of the keep-alive pool.
 */
import { Agent, type AgentOptions } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { RttError } from "@rtt/core";
import { isLoopback, ownUid, tcpListeners, tcpPeerUid } from "@rtt/fabric";

/** Where an `x-run` argument takes the port the driver picked. */
export const PORT_PLACEHOLDER = "{port}";
/** The environment variable that carries the same port, for programs that read it there. */
export const PORT_ENV = "RTT_HTTP_PORT";
/** The only host such a program is told to listen on, and the driver connects to. */
export const TCP_API_HOST = "127.0.0.1";

/** Whether `argv` asks for a TCP port: some argument holds `{port}`. */
export function wantsTcpPort(argv: readonly string[]): boolean {
  return argv.some((a) => a.includes(PORT_PLACEHOLDER));
}

/** `argv` with every `{port}` replaced by `port`. */
export function withPort(argv: readonly string[], port: number): string[] {
  return argv.map((a) => a.replaceAll(PORT_PLACEHOLDER, String(port)));
}

/** A port on 127.0.0.1 free at this moment: the kernel's pick for a listener closed at once. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host: TCP_API_HOST, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The addresses beyond loopback that something listens on at `port` (`0.0.0.0`, `::`, a LAN
 * address), as the kernel's tables show them: a program told 127.0.0.1 may bind every address
 * anyway (`python3 -m http.server` without `--bind` does), and be reachable from other hosts.
 */
export function listensBeyondLoopback(port: number): string[] {
  return [
    ...new Set(
      tcpListeners(port)
        .map((e) => e.localAddress)
        .filter((a) => !isLoopback(a)),
    ),
  ];
}

/** How long to wait before looking for the server's entry once more (cf. admitTcpPeer). */
const LOOKUP_RETRY_MS = 25;

/**
 * Why the server end of a connected `socket` is not ours, in words; undefined when it is.
 * Off Linux (no TCP table) the server is taken on trust, as TCP lanes take their peers.
 */
async function foreignServer(socket: Socket): Promise<string | undefined> {
  const uid = ownUid();
  if (uid === undefined || process.platform !== "linux") return undefined;
  let owner = tcpPeerUid(socket);
  if (owner === undefined) {
    await new Promise((r) => setTimeout(r, LOOKUP_RETRY_MS));
    owner = tcpPeerUid(socket);
  }
  if (owner === uid) return undefined;
  return owner === undefined
    ? "its owner is not in /proc/net/tcp"
    : `it belongs to uid ${owner}, not to uid ${uid} that started the program`;
}

/**
 * A connection to our own server on 127.0.0.1:`port`; rejects (RTT_ERR_SOCKET_UNSAFE) when
 * another user's process answers there, or with the connection's error (ECONNREFUSED…).
 */
export function connectOwnServer(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: TCP_API_HOST, port });
    socket.once("error", reject);
    socket.once("connect", () => {
      void foreignServer(socket).then((why) => {
        if (why === undefined) {
          socket.off("error", reject);
          resolve(socket);
          return;
        }
        socket.destroy();
        reject(
          new RttError(
            "RTT_ERR_SOCKET_UNSAFE",
            `http driver: refused the server on ${TCP_API_HOST}:${port}: ${why}`,
            {
              hint: "another local user took the port the api program was given; start the route again for a fresh port",
            },
          ),
        );
      });
    });
  });
}

/** True when our own server accepts a connection on `port` now; an error when a foreign one does. */
export async function ownServerAccepts(port: number): Promise<boolean> {
  try {
    (await connectOwnServer(port)).destroy();
    return true;
  } catch (error) {
    if (error instanceof RttError) throw error;
    return false;
  }
}

/**
 * A keep-alive pool whose every new connection goes through `connectOwnServer`: the http
 * client gets the socket only once its server is known to be ours, so no request is written to
 * anyone else. (Node's Agent takes a socket from `createConnection`'s callback when it returns
 * none.)
 */
export class OwnServerAgent extends Agent {
  readonly #port: number;

  constructor(port: number, options: AgentOptions = {}) {
    super(options);
    this.#port = port;
  }

  override createConnection(
    _options: unknown,
    callback?: (error: Error | null, socket: Socket) => void,
  ): undefined {
    connectOwnServer(this.#port).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Socket),
    );
    return undefined;
  }
}
