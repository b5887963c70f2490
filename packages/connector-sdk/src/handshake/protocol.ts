/**
 * The start-up contract between a host and a driver process
 * (docs/design.md §Processes and sockets: the handshake on descriptor 3), go-plugin style:
 * what the host puts in the driver's environment, and how the two agree on a protocol
 * version. docs/connectors.md describes the same for authors in other languages.
 */
import { RttError } from "@rtt/core";

/**
 * The magic cookie. Not a secret: it only tells a driver that an RTT host started it, so that
 * a person who runs the executable by hand gets a sentence on how to use it instead of a
 * process silently waiting on a socket.
 */
export const COOKIE_ENV = "RTT_DRIVER_COOKIE";
export const COOKIE_VALUE = "rtt-connector-driver-v1-5f0c9a8e6b7d4c1a";

/** The application protocol versions the host can speak, comma-separated ("1" or "1,2"). */
export const PROTOCOL_VERSIONS_ENV = "RTT_PROTOCOL_VERSIONS";
/** Milliseconds between HEARTBEAT frames on idle outbound lanes (default 250). */
export const HEARTBEAT_ENV = "RTT_HEARTBEAT_MS";
/** How long a driver keeps its lanes after its host vanished (default 10000). */
export const GRACE_ENV = "RTT_DRIVER_GRACE_MS";
/** Folder for the driver's gRPC socket (default: the per-user lane socket folder). */
export const SOCKET_DIR_ENV = "RTT_DRIVER_SOCKET_DIR";

export const DEFAULT_HEARTBEAT_MS = 250;
export const DEFAULT_GRACE_MS = 10_000;

/** The descriptor the handshake line is written to: not stdout, so stray output cannot break it. */
export const HANDSHAKE_FD = 3;

/**
 * Version of the handshake itself (field 2 of the line). It changes only if the line's
 * existing fields change meaning, which they never should: new fields are appended.
 */
export const CORE_PROTOCOL_VERSION = 1;

/** Version of this SDK's runtime, reported in GetInfo (display only). */
export const SDK_VERSION = "0.1.0";

/** Application protocol versions (rtt.connector.v1 and its successors) this SDK speaks. */
export const SDK_PROTOCOL_VERSIONS: readonly number[] = [1];

const VERSION = /^[1-9][0-9]{0,8}$/;

/**
 * Parses a version list such as "1" or "3, 1,2": positive integers, comma-separated, spaces
 * allowed around them. Returns them sorted ascending without duplicates.
 */
export function parseVersionList(text: string, what = PROTOCOL_VERSIONS_ENV): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const out = new Set<number>();
  for (const part of parts) {
    if (!VERSION.test(part)) {
      throw new RttError(
        "RTT_ERR_DRIVER_VERSION",
        `${what} must list protocol versions as positive integers separated by commas, got ${JSON.stringify(text)}`,
        { hint: `e.g. ${what}=1 or ${what}=1,2` },
      );
    }
    out.add(Number(part));
  }
  return [...out].sort((a, b) => a - b);
}

export function formatVersionList(versions: readonly number[]): string {
  return versions.join(",");
}

/** The highest version both sides speak, or undefined when they share none. */
export function negotiateVersion(
  host: readonly number[],
  driver: readonly number[],
): number | undefined {
  let best: number | undefined;
  for (const v of driver) if (host.includes(v) && (best === undefined || v > best)) best = v;
  return best;
}

/** The refusal both sides print when no version is shared: it names both lists. */
export function versionMismatch(
  driverName: string,
  host: readonly number[],
  driver: readonly number[],
): RttError {
  return new RttError(
    "RTT_ERR_DRIVER_VERSION",
    `driver "${driverName}" speaks protocol versions ${formatVersionList(driver) || "(none)"}, ` +
      `but the host offered ${formatVersionList(host) || "(none)"}: no version in common`,
    { hint: "upgrade whichever side is older so that both share a version" },
  );
}
