/**
 * The one line a driver writes on descriptor 3 when it is ready
 * (docs/design.md §Processes and sockets: the handshake on descriptor 3):
 *
 *   RTT|<core-proto>|<app-proto>|unix|<socket>|grpc|<pid>|<start-time>|<nonce>
 *
 *   1  "RTT"          marks the line as ours
 *   2  core-proto     version of this line's layout (CORE_PROTOCOL_VERSION)
 *   3  app-proto      the Connector protocol version the driver chose from RTT_PROTOCOL_VERSIONS
 *   4  network        "unix" (the only one so far)
 *   5  socket         absolute path of the gRPC socket (a named pipe on Windows); never a
 *                     Linux abstract name ("@name"), which any local user could connect to
 *   6  protocol       "grpc"
 *   7  pid            the driver's process id
 *   8  start-time     field 22 of /proc/<pid>/stat (clock ticks since boot), "0" where unknown
 *   9  nonce          16 to 64 random bytes as lowercase hex
 *
 * Fields are only ever appended: a parser keeps what follows field 9 in `extra`, so an older
 * host reads a newer driver's line. Appended so far:
 *
 *   10 lanes          the lane kinds the driver makes, comma-separated (ADR 0031; lane-kinds.ts)
 *   11 framed         absolute path of a second socket serving the Connector service on the
 *                     framed control channel (ADR 0029), or empty: the host calls a flip's
 *                     Switch, Bind, Offer and Health there, and everything over gRPC without it A driver that refuses to start (no common version) may
 * instead write `RTT-REFUSED|<error code>|<message>` so the host can name the reason exactly.
 */
import { ERROR_CATALOG, type ErrorCode, RttError } from "@rtt/core";

export interface Handshake {
  readonly coreVersion: number;
  readonly appVersion: number;
  readonly network: "unix";
  /** An absolute socket path (a `\\.\pipe\` name on Windows). */
  readonly address: string;
  readonly protocol: "grpc";
  readonly pid: number;
  /** Decimal clock ticks since boot, as /proc/<pid>/stat field 22 has it; "0" = unknown. */
  readonly startTime: string;
  readonly nonce: string;
  /** Fields after the ninth, from a newer driver; kept, not interpreted. */
  readonly extra: readonly string[];
}

export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** Names of the fields, 1-based as in the layout above; used in error messages. */
export const HANDSHAKE_FIELDS = [
  "marker",
  "core protocol version",
  "app protocol version",
  "network",
  "socket address",
  "protocol",
  "pid",
  "start time",
  "nonce",
] as const;

export type HandshakeField = (typeof HANDSHAKE_FIELDS)[number] | "framed socket" | "line";

/** A handshake line that does not parse; `field` says which part was wrong. */
export class HandshakeSyntaxError extends RttError {
  readonly field: HandshakeField;
  constructor(field: HandshakeField, message: string) {
    super("RTT_ERR_DRIVER_HANDSHAKE", message, {
      hint: "a driver writes RTT|<core>|<app>|unix|<socket>|grpc|<pid>|<start-time>|<nonce> on descriptor 3; see docs/connectors.md",
    });
    this.name = "HandshakeSyntaxError";
    this.field = field;
  }
}

const MARKER = "RTT";
const REFUSAL_MARKER = "RTT-REFUSED";
const POSITIVE = /^[1-9][0-9]{0,8}$/;
const TICKS = /^(0|[1-9][0-9]{0,19})$/;
const NONCE = /^(?:[0-9a-f]{2}){16,64}$/;
// Control characters would let a path smuggle a line break; '|' would shift the fields.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const BAD_ADDRESS_CHARS = /[\u0000-\u001f\u007f|]/;
/** A file path, or a Windows named pipe; an abstract name ("@…") is refused. */
const SOCKET_PATH = /^(\/.+|\\\\\.\\pipe\\.+)$/;
/** The longest line a host reads before calling it malformed. */
export const MAX_HANDSHAKE_LINE = 4096;

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function bad(field: HandshakeField, got: string, expected: string): HandshakeSyntaxError {
  const index = HANDSHAKE_FIELDS.indexOf(field as (typeof HANDSHAKE_FIELDS)[number]);
  const where = index < 0 ? field : `field ${index + 1} (${field})`;
  return new HandshakeSyntaxError(field, `${where} must be ${expected}, got ${quote(got)}`);
}

/** Checks the parts `formatHandshake` and `parseHandshake` agree on; throws on the first bad one. */
function checkFields(f: readonly string[]): Handshake {
  const [marker, core, app, network, address, protocol, pid, startTime, nonce] = f;
  if (marker !== MARKER) throw bad("marker", marker ?? "", `"${MARKER}"`);
  if (core === undefined || !POSITIVE.test(core))
    throw bad("core protocol version", core ?? "", "a positive integer");
  if (app === undefined || !POSITIVE.test(app))
    throw bad("app protocol version", app ?? "", "a positive integer");
  if (network !== "unix") throw bad("network", network ?? "", '"unix"');
  if (address === undefined || !SOCKET_PATH.test(address) || BAD_ADDRESS_CHARS.test(address))
    throw bad(
      "socket address",
      address ?? "",
      "an absolute socket path without control characters",
    );
  if (protocol !== "grpc") throw bad("protocol", protocol ?? "", '"grpc"');
  if (pid === undefined || !POSITIVE.test(pid)) throw bad("pid", pid ?? "", "a positive integer");
  if (startTime === undefined || !TICKS.test(startTime))
    throw bad("start time", startTime ?? "", "a decimal number of clock ticks (0 if unknown)");
  if (nonce === undefined || !NONCE.test(nonce))
    throw bad("nonce", nonce ?? "", "32 to 128 lowercase hex digits");
  return {
    coreVersion: Number(core),
    appVersion: Number(app),
    network: "unix",
    address,
    protocol: "grpc",
    pid: Number(pid),
    startTime,
    nonce,
    extra: f.slice(HANDSHAKE_FIELDS.length),
  };
}

/**
 * Field 11 of a handshake line (`extra` is what follows field 9): the framed control channel's
 * socket, or undefined when the driver serves none (absent or empty). A field that is no
 * absolute socket path is a HandshakeSyntaxError, as field 5 would be. (`parseHandshake` keeps
 * appended fields unread, so a host that knows no field 11 reads the line as before.)
 */
export function framedSocketOfLine(extra: readonly string[]): string | undefined {
  const field = extra[1] ?? "";
  if (field === "") return undefined;
  if (!SOCKET_PATH.test(field) || BAD_ADDRESS_CHARS.test(field))
    throw new HandshakeSyntaxError(
      "framed socket",
      `field 11 (framed socket) must be empty or an absolute socket path without control characters, got ${quote(field)}`,
    );
  return field;
}

/** Parses one handshake line (its trailing "\n" or "\r\n" already removed, or not). */
export function parseHandshake(line: string): Handshake {
  const text = line.endsWith("\r\n")
    ? line.slice(0, -2)
    : line.endsWith("\n")
      ? line.slice(0, -1)
      : line;
  if (text.length > MAX_HANDSHAKE_LINE)
    throw new HandshakeSyntaxError(
      "line",
      `the handshake line is longer than ${MAX_HANDSHAKE_LINE} characters`,
    );
  if (text.includes("\n") || text.includes("\r"))
    throw new HandshakeSyntaxError("line", `the handshake must be one line, got ${quote(text)}`);
  const fields = text.split("|");
  if (fields[0] !== MARKER) throw bad("marker", fields[0] ?? "", `"${MARKER}"`);
  if (fields.length < HANDSHAKE_FIELDS.length) {
    throw new HandshakeSyntaxError(
      "line",
      `expected at least ${HANDSHAKE_FIELDS.length} "|"-separated fields, got ${fields.length} in ${quote(text)}`,
    );
  }
  return checkFields(fields);
}

/** The line for `h`, without the newline; throws when a field could not be read back. */
export function formatHandshake(
  h: Omit<Handshake, "extra"> & { extra?: readonly string[] },
): string {
  const fields = [
    MARKER,
    String(h.coreVersion),
    String(h.appVersion),
    h.network,
    h.address,
    h.protocol,
    String(h.pid),
    h.startTime,
    h.nonce,
    ...(h.extra ?? []),
  ];
  checkFields(fields);
  for (const e of h.extra ?? []) {
    if (BAD_ADDRESS_CHARS.test(e))
      throw new HandshakeSyntaxError(
        "line",
        `an appended field holds "|" or a control character: ${quote(e)}`,
      );
  }
  return fields.join("|");
}

/** A refusal line, or undefined when `line` is not one. */
export function parseRefusal(line: string): Refusal | undefined {
  const text = line.replace(/\r?\n$/, "");
  if (!text.startsWith(`${REFUSAL_MARKER}|`)) return undefined;
  const rest = text.slice(REFUSAL_MARKER.length + 1);
  const bar = rest.indexOf("|");
  const code = bar < 0 ? rest : rest.slice(0, bar);
  const message = bar < 0 ? "" : rest.slice(bar + 1);
  if (!Object.hasOwn(ERROR_CATALOG, code)) return undefined;
  return { code: code as ErrorCode, message };
}

export function formatRefusal(r: Refusal): string {
  return `${REFUSAL_MARKER}|${r.code}|${r.message.replace(/[\r\n]+/g, " ")}`;
}
