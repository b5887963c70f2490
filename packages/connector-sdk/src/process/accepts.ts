/**
 * Whether something listens where a program said it would: one connection attempt, closed at
 * once. How a driver learns that a program it started is ready (the http connector's api
 * programs on their socket, the process connector's `x-ready` socket or port).
 */
import { connect, type NetConnectOpts } from "node:net";

/** True when a connection to `where` (a Unix socket path, or a TCP port and host) is accepted. */
export function accepts(where: NetConnectOpts): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(where);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
