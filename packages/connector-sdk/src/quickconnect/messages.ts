/**
 * QuickConnect control messages (ADR 0011): what SYN, ACK, BIND, READY, TRIP and HEARTBEAT
 * frames carry, and the one codec for them.
 *
 * The frame type says which message it is; the payload is a compact UTF-8 JSON object with
 * `"v":1` and the message's fields. JSON, because control frames are a handful per link (not the
 * hot path) and a peer written in any language can produce them. The parser trusts nothing: the
 * bytes come from another process, so anything that is not exactly a valid message is an
 * RTT_ERR_QC_MALFORMED naming the field, what was expected and what was found. Unknown fields
 * are ignored (a later minor revision may add some); a different `v` is refused.
 */
import {
  errorMessage,
  LANE_KINDS,
  type LaneKind,
  MAX_TOKEN_CHARS,
  parseConcrete,
  RttError,
} from "@rtt/core";
import { FrameType, type LaneAddress, MAX_PAYLOAD_LIMIT } from "@rtt/fabric";
import { TRIP_REASONS, type TripReason } from "./trip.ts";

export const CONTROL_VERSION = 1;
/** The largest control payload a parser accepts; real ones are a few hundred bytes. */
export const MAX_CONTROL_PAYLOAD = 64 * 1024;

/** SYN: the initiator (source end) asks for a link. */
export interface Syn {
  /** Names this attempt: retries repeat it, and every later message of the link carries it. */
  readonly nonce: string;
  /** The initiator's concrete address. */
  readonly saddr: string;
  /** The contract hash the initiator expects the responder to have (SHA-256, hex). */
  readonly contract_hash: string;
  /** Capabilities the initiator offers. */
  readonly caps: readonly string[];
  /** Capabilities the responder must offer, or the link is refused. */
  readonly require: readonly string[];
  /** Lane kinds the initiator can make, most preferred first. */
  readonly lanes: readonly LaneKind[];
  /** The largest payload the initiator will send in one frame. */
  readonly max_frame: number;
  /** The heartbeat interval the initiator asks for. */
  readonly heartbeat_ms: number;
  /**
   * The route token the panel gave the initiator (ADR 0018, a PASETO v4.public token scoped to
   * this route): a target whose contract's auth mode is `token` or `caps` refuses a SYN
   * without one that covers the route. Absent when the panel gave none.
   */
  readonly token?: string;
}

/** How the data lane is sized. */
export interface BufferParams {
  /** Ring bytes of an shm lane (a power of two); 0 for kinds without a ring. */
  readonly capacity: number;
  /** The largest payload of one frame on the link. */
  readonly max_frame: number;
}

/** ACK: the responder accepts, with what was negotiated. */
export interface Ack {
  readonly nonce: string;
  /** Capabilities both ends offer (the intersection), sorted. */
  readonly caps: readonly string[];
  /** The lane kind to make. */
  readonly lane: LaneKind;
  readonly buffer: BufferParams;
  /** The heartbeat interval both ends use from READY on. */
  readonly heartbeat_ms: number;
}

/** BIND: the data lanes the link will use, for the responder to reach or to check. */
export interface Bind {
  readonly nonce: string;
  /** In an order both ends agree on; a route's BIND names the one lane its target listens on. */
  readonly lanes: readonly LaneAddress[];
}

/** READY: the responder reached the lanes; traffic may flow, heartbeats start. */
export interface Ready {
  readonly nonce: string;
}

/** TRIP: this end gives up on the link, and says why. */
export interface Trip {
  /** The link's nonce, or "" when the frame that caused the trip could not be read at all. */
  readonly nonce: string;
  readonly reason: TripReason;
  /** For people: what exactly went wrong. */
  readonly detail: string;
}

/** HEARTBEAT on a control lane: liveness, and a round-trip probe when `ping` is set. */
export interface Heartbeat {
  readonly nonce: string;
  /** This end's heartbeat counter. */
  readonly n: number;
  /** Asks the peer to answer at once with `pong: n`. */
  readonly ping?: boolean;
  /** Answers the ping numbered so. */
  readonly pong?: number;
}

export type ControlMessage =
  | { readonly kind: "SYN"; readonly body: Syn }
  | { readonly kind: "ACK"; readonly body: Ack }
  | { readonly kind: "BIND"; readonly body: Bind }
  | { readonly kind: "READY"; readonly body: Ready }
  | { readonly kind: "TRIP"; readonly body: Trip }
  | { readonly kind: "HEARTBEAT"; readonly body: Heartbeat };

export type ControlKind = ControlMessage["kind"];

export const CONTROL_TYPES: Readonly<Record<ControlKind, number>> = {
  SYN: FrameType.SYN,
  ACK: FrameType.ACK,
  BIND: FrameType.BIND,
  READY: FrameType.READY,
  TRIP: FrameType.TRIP,
  HEARTBEAT: FrameType.HEARTBEAT,
};

const KIND_OF_TYPE = new Map<number, ControlKind>(
  Object.entries(CONTROL_TYPES).map(([kind, type]) => [type, kind as ControlKind]),
);

/** The control kind a frame type carries, or undefined for data-plane types. */
export function controlKindOf(type: number): ControlKind | undefined {
  return KIND_OF_TYPE.get(type);
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** The JSON object of a message, fields in a fixed order so equal messages are equal bytes. */
function wireObject(m: ControlMessage): Record<string, unknown> {
  switch (m.kind) {
    case "SYN": {
      const b = m.body;
      return {
        v: CONTROL_VERSION,
        nonce: b.nonce,
        saddr: b.saddr,
        contract_hash: b.contract_hash,
        caps: b.caps,
        require: b.require,
        lanes: b.lanes,
        max_frame: b.max_frame,
        heartbeat_ms: b.heartbeat_ms,
        ...(b.token === undefined ? {} : { token: b.token }),
      };
    }
    case "ACK": {
      const b = m.body;
      return {
        v: CONTROL_VERSION,
        nonce: b.nonce,
        caps: b.caps,
        lane: b.lane,
        buffer: { capacity: b.buffer.capacity, max_frame: b.buffer.max_frame },
        heartbeat_ms: b.heartbeat_ms,
      };
    }
    case "BIND":
      return { v: CONTROL_VERSION, nonce: m.body.nonce, lanes: m.body.lanes };
    case "READY":
      return { v: CONTROL_VERSION, nonce: m.body.nonce };
    case "TRIP":
      return {
        v: CONTROL_VERSION,
        nonce: m.body.nonce,
        reason: m.body.reason,
        detail: m.body.detail,
      };
    case "HEARTBEAT": {
      const b = m.body;
      return {
        v: CONTROL_VERSION,
        nonce: b.nonce,
        n: b.n,
        ...(b.ping === true ? { ping: true } : {}),
        ...(b.pong === undefined ? {} : { pong: b.pong }),
      };
    }
  }
}

/** The frame type and payload of a control message. */
export function encodeControl(m: ControlMessage): { type: number; payload: Buffer } {
  return { type: CONTROL_TYPES[m.kind], payload: Buffer.from(JSON.stringify(wireObject(m))) };
}

// ---------------------------------------------------------------------------------------------
// Parsing

function malformed(message: string, cause?: unknown): RttError {
  return new RttError("RTT_ERR_QC_MALFORMED", message, {
    hint: "both ends must speak QuickConnect control frames version 1",
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A short rendering of a bad value for a message. */
function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads the fields of one JSON object, naming each by its path in errors. */
class Fields {
  readonly #obj: Json;
  readonly #path: string;

  constructor(obj: Json, path: string) {
    this.#obj = obj;
    this.#path = path;
  }

  #get(key: string): unknown {
    return Object.hasOwn(this.#obj, key) ? this.#obj[key] : undefined;
  }

  bad(key: string, expected: string, value: unknown): RttError {
    return malformed(`${this.#path}.${key}: expected ${expected}, found ${shown(value)}`);
  }

  has(key: string): boolean {
    return this.#get(key) !== undefined;
  }

  string(key: string, pattern: RegExp, expected: string, maxLength = 4096): string {
    const v = this.#get(key);
    if (typeof v !== "string" || v.length > maxLength || !pattern.test(v)) {
      throw this.bad(key, expected, v);
    }
    return v;
  }

  int(key: string, min: number, max: number, expected?: string): number {
    const v = this.#get(key);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
      throw this.bad(key, expected ?? `an integer from ${min} to ${max}`, v);
    }
    return v;
  }

  boolean(key: string): boolean {
    const v = this.#get(key);
    if (typeof v !== "boolean") throw this.bad(key, "true or false", v);
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const v = this.#get(key);
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
      throw this.bad(key, `one of ${values.join(", ")}`, v);
    }
    return v as T;
  }

  list<T>(
    key: string,
    min: number,
    max: number,
    item: (value: unknown, path: string) => T,
    unique: boolean,
  ): T[] {
    const v = this.#get(key);
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      throw this.bad(key, `a list of ${min} to ${max} items`, v);
    }
    const out = v.map((x, i) => item(x, `${this.#path}.${key}[${i}]`));
    if (unique) {
      const seen = new Set<string>();
      for (const [i, x] of out.entries()) {
        const k = JSON.stringify(x);
        if (seen.has(k)) {
          throw malformed(`${this.#path}.${key}[${i}]: ${shown(x)} is listed twice`);
        }
        seen.add(k);
      }
    }
    return out;
  }

  object(key: string): Fields {
    const v = this.#get(key);
    if (!isObject(v)) throw this.bad(key, "an object", v);
    return new Fields(v, `${this.#path}.${key}`);
  }
}

const NONCE = /^[A-Za-z0-9_-]{8,128}$/;
const NONCE_EXPECTED = "a nonce (8 to 128 of A-Z a-z 0-9 _ -)";
const NONCE_OR_EMPTY = /^(?:[A-Za-z0-9_-]{8,128})?$/;
const HASH = /^[0-9a-f]{64}$/;
const CAP = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const PATH = /^[^\0]{1,4096}$/;
const NAME = /^[A-Za-z0-9._:/-]{1,255}$/;
const TEXT = /^[\s\S]*$/;
/** A PASETO v4.public token's shape (its signature and claims are the target's to check). */
const TOKEN = /^v4\.public\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?$/;
const TOKEN_EXPECTED = `a route token (v4.public.…, at most ${MAX_TOKEN_CHARS} characters)`;
const MAX_HEARTBEAT_MS = 3_600_000;
const MIN_RING = 4096;
const MAX_RING = 2 ** 30;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

function cap(value: unknown, path: string): string {
  if (typeof value !== "string" || !CAP.test(value)) {
    throw malformed(
      `${path}: expected a capability name (a-z, 0-9, '.', '_', '-'; at most 64), found ${shown(value)}`,
    );
  }
  return value;
}

function laneKind(value: unknown, path: string): LaneKind {
  if (typeof value !== "string" || !(LANE_KINDS as readonly string[]).includes(value)) {
    throw malformed(
      `${path}: expected a lane kind (${LANE_KINDS.join(", ")}), found ${shown(value)}`,
    );
  }
  return value as LaneKind;
}

function ringCapacity(f: Fields, key: string, allowZero: boolean): number {
  const expected = `a power of two from ${MIN_RING} to 2^30${allowZero ? ", or 0" : ""}`;
  const n = f.int(key, 0, MAX_RING, expected);
  if ((allowZero && n === 0) || (n >= MIN_RING && isPowerOfTwo(n))) return n;
  throw f.bad(key, expected, n);
}

function laneAddress(value: unknown, path: string): LaneAddress {
  if (!isObject(value))
    throw malformed(`${path}: expected a lane address object, found ${shown(value)}`);
  const f = new Fields(value, path);
  const kind = f.oneOf("kind", LANE_KINDS);
  switch (kind) {
    case "uds":
      return { kind, path: f.string("path", PATH, "a socket path") };
    case "tcp":
      return {
        kind,
        host: f.string("host", NAME, "a host name or IP address", 255),
        port: f.int("port", 1, 65535),
      };
    case "shm":
      return {
        kind,
        segment: f.string("segment", NAME, "a segment name", 255),
        path: f.string("path", PATH, "a socket path"),
        capacity: ringCapacity(f, "capacity", false),
      };
    case "inproc":
      return { kind, id: f.string("id", NAME, "a lane id", 255) };
  }
}

function parseSyn(f: Fields): Syn {
  const nonce = f.string("nonce", NONCE, NONCE_EXPECTED);
  const saddr = f.string("saddr", /^\S{1,2048}$/, "a concrete address (rtt://...)", 2048);
  try {
    parseConcrete(saddr);
  } catch (error) {
    const why = errorMessage(error);
    throw malformed(`SYN.saddr: expected a concrete address: ${why}`, error);
  }
  const syn: Syn = {
    nonce,
    saddr,
    contract_hash: f.string("contract_hash", HASH, "a SHA-256 in lowercase hex (64 digits)"),
    caps: f.list("caps", 0, 256, cap, true),
    require: f.list("require", 0, 256, cap, true),
    lanes: f.list("lanes", 1, LANE_KINDS.length, laneKind, true),
    max_frame: f.int("max_frame", 1, MAX_PAYLOAD_LIMIT),
    heartbeat_ms: f.int("heartbeat_ms", 1, MAX_HEARTBEAT_MS),
  };
  if (!f.has("token")) return syn;
  return { ...syn, token: f.string("token", TOKEN, TOKEN_EXPECTED, MAX_TOKEN_CHARS) };
}

function parseAck(f: Fields): Ack {
  const nonce = f.string("nonce", NONCE, NONCE_EXPECTED);
  const caps = f.list("caps", 0, 256, cap, true);
  const lane = f.oneOf("lane", LANE_KINDS);
  const b = f.object("buffer");
  const buffer: BufferParams = {
    capacity: ringCapacity(b, "capacity", true),
    max_frame: b.int("max_frame", 1, MAX_PAYLOAD_LIMIT),
  };
  return { nonce, caps, lane, buffer, heartbeat_ms: f.int("heartbeat_ms", 1, MAX_HEARTBEAT_MS) };
}

function parseBody(kind: ControlKind, f: Fields): ControlMessage {
  switch (kind) {
    case "SYN":
      return { kind, body: parseSyn(f) };
    case "ACK":
      return { kind, body: parseAck(f) };
    case "BIND":
      return {
        kind,
        body: {
          nonce: f.string("nonce", NONCE, NONCE_EXPECTED),
          lanes: f.list("lanes", 1, 8, laneAddress, true),
        },
      };
    case "READY":
      return {
        kind,
        body: { nonce: f.string("nonce", NONCE, NONCE_EXPECTED) },
      };
    case "TRIP":
      return {
        kind,
        body: {
          nonce: f.string("nonce", NONCE_OR_EMPTY, 'a nonce, or "" for no link'),
          reason: f.oneOf("reason", TRIP_REASONS),
          detail: f.string("detail", TEXT, "a text of at most 4096 characters"),
        },
      };
    case "HEARTBEAT": {
      const body: { nonce: string; n: number; ping?: boolean; pong?: number } = {
        nonce: f.string("nonce", NONCE, NONCE_EXPECTED),
        n: f.int("n", 0, Number.MAX_SAFE_INTEGER),
      };
      if (f.has("ping")) body.ping = f.boolean("ping");
      if (f.has("pong")) body.pong = f.int("pong", 0, Number.MAX_SAFE_INTEGER);
      return { kind, body };
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a control frame's payload. Throws RTT_ERR_QC_MALFORMED — and nothing else — for
 * anything that is not one valid message of the kind `type` names.
 */
export function parseControl(type: number, payload: Uint8Array): ControlMessage {
  const kind = controlKindOf(type);
  if (kind === undefined) {
    throw malformed(`frame type ${type} is not a QuickConnect control frame`);
  }
  if (payload.length > MAX_CONTROL_PAYLOAD) {
    throw malformed(
      `${kind} payload is ${payload.length} bytes, expected at most ${MAX_CONTROL_PAYLOAD}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload));
  } catch (error) {
    const why = errorMessage(error);
    throw malformed(`${kind} payload is not UTF-8 JSON: ${why}`, error);
  }
  if (!isObject(value)) {
    throw malformed(`${kind} payload: expected a JSON object, found ${shown(value)}`);
  }
  const f = new Fields(value, kind);
  f.int("v", CONTROL_VERSION, CONTROL_VERSION, `version ${CONTROL_VERSION}`);
  return parseBody(kind, f);
}
