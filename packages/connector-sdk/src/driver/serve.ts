/**
 * Running a connector as a driver process
 * (docs/design.md §Processes and sockets: driver processes), go-plugin's lifecycle improved:
 *
 * 1. No magic cookie in the environment → a sentence on stderr about how drivers are meant to
 *    be used, exit 1. (The cookie is not security; it stops a person from starting a driver
 *    by hand and staring at a silent process.)
 * 2. Negotiate: the highest version in both RTT_PROTOCOL_VERSIONS and the SDK's list. None →
 *    a refusal naming both lists, on descriptor 3 and stderr, exit 1.
 * 3. Serve gRPC on a fresh Unix socket (0600; a short fallback path when the folder's path is
 *    too long, as fabric does for lanes), and the same service on the framed control channel
 *    on a second one, then write the handshake line (field 11 names the second socket) on
 *    descriptor 3 and close it. stdout and stderr stay the author's: the host mirrors them
 *    into its log, and nothing written there can break start-up.
 * 4. While a host is attached — its stdin pipe open, or a Health stream open — run. When the
 *    last one goes, keep every link pumping for RTT_DRIVER_GRACE_MS so a restarted host can
 *    re-attach; if none does, close the links (EOS on each outbound lane) and exit 0.
 */
import { closeSync, fstatSync, writeSync } from "node:fs";
import { flushCompileCache } from "node:module";
import { RttError } from "@rtt/core";
import { newSocketPath } from "@rtt/fabric";
import { formatHandshake, formatRefusal } from "../handshake/handshake-line.ts";
import {
  COOKIE_ENV,
  COOKIE_VALUE,
  CORE_PROTOCOL_VERSION,
  DEFAULT_GRACE_MS,
  DEFAULT_HEARTBEAT_MS,
  GRACE_ENV,
  HANDSHAKE_FD,
  HEARTBEAT_ENV,
  negotiateVersion,
  PROTOCOL_VERSIONS_ENV,
  parseVersionList,
  SDK_PROTOCOL_VERSIONS,
  SOCKET_DIR_ENV,
  versionMismatch,
} from "../handshake/protocol.ts";
import type { Connector } from "./define-connector.ts";
import { driverIdentity } from "./identity.ts";
import { DriverRuntime } from "./runtime.ts";
import { startConnectorServer } from "./service.ts";

/** How long after its handshake a driver writes its compile cache. */
const COMPILE_CACHE_FLUSH_MS = 1000;

export interface ServeOptions {
  /** Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Protocol versions this driver speaks (default: the SDK's). */
  readonly protocolVersions?: readonly number[];
}

function cookieMessage(c: Connector<unknown>): string {
  return [
    `This program is an RTT connector driver ("${c.name}" ${c.version}); it is not meant to be run by hand.`,
    "An RTT host starts it — the panel (`rtt apply`), or DriverHost from @rtt/connector-sdk —",
    `with ${COOKIE_ENV} set, and reads its handshake line on file descriptor ${HANDSHAKE_FD}.`,
    "To use it, declare it in your workspace and let the panel start it;",
    "docs/connectors.md describes the protocol for writing a host. (RTT_ERR_DRIVER_COOKIE)",
  ].join("\n");
}

function positiveMs(env: ServeOptions["env"], key: string, fallback: number): number {
  const raw = env?.[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** Refuses to start: the reason on descriptor 3 (for the host) and stderr (for people). */
function refuse(error: RttError): never {
  try {
    writeSync(HANDSHAKE_FD, `${formatRefusal({ code: error.code, message: error.message })}\n`);
  } catch {
    // No descriptor 3: stderr says it.
  }
  process.stderr.write(`${error.message} (${error.code})\n`);
  process.exit(1);
}

/** Tracks whether a host is attached, and runs out the grace period when none is. */
class HostPresence {
  #stdinOpen = true;
  #watches = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #graceMs: number;
  readonly #onGone: () => void;
  readonly #log: (line: string) => void;

  constructor(graceMs: number, onGone: () => void, log: (line: string) => void) {
    this.#graceMs = graceMs;
    this.#onGone = onGone;
    this.#log = log;
  }

  stdinClosed(): void {
    if (!this.#stdinOpen) return;
    this.#stdinOpen = false;
    this.#update();
  }

  watch(delta: 1 | -1): void {
    this.#watches = Math.max(0, this.#watches + delta);
    this.#update();
  }

  /** Any call from a host restarts the clock: someone is re-attaching. */
  activity(): void {
    if (this.#timer !== undefined) this.#timer.refresh();
  }

  #update(): void {
    const attached = this.#stdinOpen || this.#watches > 0;
    if (attached) {
      if (this.#timer !== undefined) this.#log("host attached again");
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#timer === undefined) {
      this.#log(`host gone; keeping links for ${this.#graceMs} ms for a host to re-attach`);
      this.#timer = setTimeout(this.#onGone, this.#graceMs);
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * Serves `connector` as a driver process, following the steps at the top of this file.
 * Resolves once the handshake is written; the process then lives until Shutdown, a signal,
 * or the end of a grace period.
 */
export async function serveDriver<L>(
  connector: Connector<L>,
  options: ServeOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  // A vanished host leaves broken pipes behind; writing to them must not kill the driver.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  const log = (line: string) => process.stderr.write(`rtt driver: ${line}\n`);

  if (env[COOKIE_ENV] !== COOKIE_VALUE) {
    process.stderr.write(`${cookieMessage(connector as Connector<unknown>)}\n`);
    process.exit(1);
  }
  let handshakeFdOk = false;
  try {
    // A pipe or socketpair from the host. Anything else on fd 3 (when run by hand, Node's own
    // epoll descriptor can sit there) must not receive the line.
    const st = fstatSync(HANDSHAKE_FD);
    handshakeFdOk = st.isFIFO() || st.isSocket();
  } catch {
    handshakeFdOk = false;
  }
  if (!handshakeFdOk) {
    process.stderr.write(
      `rtt driver "${connector.name}": no file descriptor ${HANDSHAKE_FD} to write the handshake to; ` +
        "a host opens it as a pipe when it starts the driver (RTT_ERR_DRIVER_HANDSHAKE)\n",
    );
    process.exit(1);
  }

  const ours = options.protocolVersions ?? SDK_PROTOCOL_VERSIONS;
  let offered: number[];
  try {
    offered = parseVersionList(env[PROTOCOL_VERSIONS_ENV] ?? "");
  } catch (error) {
    refuse(error as RttError);
  }
  const version = negotiateVersion(offered, ours);
  if (version === undefined) refuse(versionMismatch(connector.name, offered, ours));

  const heartbeatMs = positiveMs(env, HEARTBEAT_ENV, DEFAULT_HEARTBEAT_MS);
  const graceMs = positiveMs(env, GRACE_ENV, DEFAULT_GRACE_MS);
  const runtime = new DriverRuntime(connector, { heartbeatMs, log });

  const dir = env[SOCKET_DIR_ENV];
  let address: string;
  let framedAddress: string;
  try {
    // A private folder (made and checked by newSocketPath), or a short one when too deep.
    const socketDir = dir === undefined || dir === "" ? undefined : dir;
    address = newSocketPath(socketDir, `driver-${connector.name}`);
    framedAddress = newSocketPath(socketDir, `driver-${connector.name}-framed`);
  } catch (error) {
    if (error instanceof RttError) refuse(error);
    throw error;
  }
  const identity = driverIdentity(
    connector as Connector<unknown>,
    () => runtime.linkCount,
    { version, versions: ours },
    address,
  );
  const { nonce, startTime } = identity;

  let stopping = false;
  let server: { close(): void } | undefined;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    presence.dispose();
    const n = await runtime.dispose();
    log(`${why}; ${n > 0 ? `closed ${n} link${n === 1 ? "" : "s"}, ` : ""}exiting`);
    server?.close();
    process.exit(0);
  };
  const presence = new HostPresence(
    graceMs,
    () => void stop("no host re-attached in the grace period"),
    log,
  );

  const served = await startConnectorServer(
    runtime,
    {
      info: identity.info,
      onActivity: () => presence.activity(),
      onWatch: (delta) => presence.watch(delta),
      onShutdown: (reason) => void stop(`shutdown${reason === "" ? "" : ` (${reason})`}`),
    },
    address,
    `driver ${connector.name}`,
    { path: framedAddress, log },
  );
  server = served;
  // Whatever ends the process, the socket file goes with it.
  process.on("exit", () => server?.close());

  const line = formatHandshake({
    coreVersion: CORE_PROTOCOL_VERSION,
    appVersion: version,
    network: "unix",
    address,
    protocol: "grpc",
    pid: process.pid,
    startTime,
    nonce,
    // Field 10: the lane kinds this driver makes (ADR 0031); 11: the framed socket (ADR 0029).
    extra: [identity.lanes.join(","), served.framedPath ?? ""],
  });
  writeSync(HANDSHAKE_FD, `${line}\n`);
  closeSync(HANDSHAKE_FD);
  // The compile cache a panel gives its Node drivers (NODE_COMPILE_CACHE): written once the
  // host has had a moment to connect (writing a cold one costs a start ~0.1 s of CPU), not at
  // exit, so the next start has it even if this one is killed; and not handed on to the
  // programs a connector runs, whose code is not this driver's.
  setTimeout(flushCompileCache, COMPILE_CACHE_FLUSH_MS).unref();
  delete process.env.NODE_COMPILE_CACHE;

  // The host keeps our stdin open for as long as it lives: its end is the host's death.
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => presence.stdinClosed());
  process.stdin.on("close", () => presence.stdinClosed());
  process.stdin.on("error", () => presence.stdinClosed());
  process.stdin.resume();

  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
