/**
 * Reads Linux's `/proc/net/tcp` and `/proc/net/tcp6`: the kernel's table of TCP sockets, which
 * names the uid that owns each one. TCP has no SO_PEERCRED, so this table is how the TCP lane
 * learns who is on the other end of a loopback connection (docs/adr/0020-local-sockets.md).
 *
 * A line looks like
 *   `   0: 0100007F:1F90 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000 …`
 * (slot, local address:port, remote address:port, state, queues, timers, retransmits, uid, …).
 * An address is the kernel's 32-bit words printed with %08X in the machine's byte order, so
 * 127.0.0.1 is `0100007F` on little-endian machines; IPv6 is four such words. Ports are plain
 * big hex numbers. The text is trusted for nothing: a line that does not fit is skipped.
 */
import { isIPv4, isIPv6 } from "node:net";
import { endianness } from "node:os";

export interface TcpTableEntry {
  /** Normalized (see normalizeIp): IPv4 and IPv4-mapped IPv6 as dotted quads. */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The kernel's TCP state number (1 ESTABLISHED, 10 LISTEN, …). */
  readonly state: number;
  readonly uid: number;
}

export type ByteOrder = "LE" | "BE";

const ENDPOINT = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/;
const HEX_BYTE = /^[0-9A-Fa-f]{2}$/;
const UID = /^\d{1,10}$/;
const MAX_UID = 4294967295;

/**
 * One spelling per address, so the table and Node's `socket.remoteAddress` compare equal:
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`) becomes the dotted quad, other IPv6 the WHATWG URL
 * serialization (lower case, longest zero run compressed). Undefined when `text` is no address.
 */
export function normalizeIp(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!isIPv6(text) || text.includes("%")) return undefined;
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped === null) return host;
  const hi = Number.parseInt(mapped[1] ?? "", 16);
  const lo = Number.parseInt(mapped[2] ?? "", 16);
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join(".");
}

/** The address bytes of a table address: each 32-bit word's hex reversed on little-endian. */
function addressBytes(hex: string, order: ByteOrder): number[] {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(order === "LE" ? word.reverse() : word));
  }
  return bytes;
}

function parseEndpoint(
  text: string,
  order: ByteOrder,
): { address: string; port: number } | undefined {
  const m = ENDPOINT.exec(text);
  if (m === null) return undefined;
  const bytes = addressBytes(m[1] ?? "", order);
  const spelled =
    bytes.length === 4
      ? bytes.join(".")
      : Array.from({ length: 8 }, (_, i) =>
          (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16),
        ).join(":");
  const address = normalizeIp(spelled);
  if (address === undefined) return undefined;
  return { address, port: Number.parseInt(m[2] ?? "", 16) };
}

function parseLine(line: string, order: ByteOrder): TcpTableEntry | undefined {
  const f = line.trim().split(/\s+/);
  // sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid
  if (f.length < 8 || !/^\d+:$/.test(f[0] ?? "")) return undefined;
  const local = parseEndpoint(f[1] ?? "", order);
  const remote = parseEndpoint(f[2] ?? "", order);
  const state = f[3] ?? "";
  const uid = f[7] ?? "";
  if (local === undefined || remote === undefined) return undefined;
  if (!HEX_BYTE.test(state) || !UID.test(uid) || Number(uid) > MAX_UID) return undefined;
  return {
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state: Number.parseInt(state, 16),
    uid: Number(uid),
  };
}

/** The entries of a `/proc/net/tcp` or `tcp6` text; the header and any odd line are skipped. */
export function parseProcNetTcp(text: string, order: ByteOrder = endianness()): TcpTableEntry[] {
  const entries: TcpTableEntry[] = [];
  for (const line of text.split("\n")) {
    const entry = parseLine(line, order);
    if (entry !== undefined) entries.push(entry);
  }
  return entries;
}
