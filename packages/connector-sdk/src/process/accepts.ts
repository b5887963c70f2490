/**
 * Whether something listens where a program said it would: one connection attempt, closed at
 * once. How a driver learns that a program it started is ready (the http connector's api
 * programs on their socket, the process connector's `x-ready` socket or port).
 */
import { connect, type NetConnectOpts } from "node:net";

/**
 * The most a driver may wait for a program it started to be ready: the panel's Open call gives
 * up after 10 s, and a program that did not start may take the kill grace (2 s) to end — a wait
 * any longer would leave the user the panel's "did not answer Open in time" instead of why.
 */
export const MAX_START_WAIT_MS = 7000;

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
