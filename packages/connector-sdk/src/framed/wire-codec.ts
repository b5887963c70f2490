/**
 * Protobuf messages read and written from the descriptor JSON alone, without protobufjs: what
 * the framed channel's client (`rtt panel status`, …) uses, since loading protobufjs was a
 * quarter of such a command's start. It gives the objects protobufjs gives with proto-loader's
 * options (messages.ts TO_OBJECT: longs as numbers, every field present with its default, in
 * protobufjs's key order), which property tests check against protobufjs itself
 * (wire-codec.property.test.ts). What panel.proto does not use — enums, oneofs, groups — is
 * refused when the codec is built, not guessed at.
 */
import { RttError } from "@rtt/core/errors.ts";

/** protobufjs's JSON form of a namespace, a message type and a field (what `npm run generate` writes). */
export interface NamespaceJson {
  readonly nested?: Readonly<Record<string, NamespaceJson & MessageJson>>;
}
interface MessageJson {
  readonly fields?: Readonly<Record<string, FieldJson>>;
  readonly oneofs?: unknown;
  readonly values?: unknown;
}
interface FieldJson {
  readonly type: string;
  readonly id: number;
  readonly rule?: string;
  readonly keyType?: string;
}

export interface MessageCodec {
  encode(value: unknown): Buffer;
  /** RTT_ERR_FRAME_CORRUPT when `bytes` are not one of these messages. */
  decode(bytes: Uint8Array): Record<string, unknown>;
}

type Scalar = (typeof SCALARS)[number];
const SCALARS = [
  "double",
  "float",
  "int32",
  "uint32",
  "sint32",
  "fixed32",
  "sfixed32",
  "int64",
  "uint64",
  "sint64",
  "fixed64",
  "sfixed64",
  "bool",
  "string",
  "bytes",
] as const;
const isScalar = (type: string): type is Scalar => (SCALARS as readonly string[]).includes(type);
/** The wire type each scalar is written with (varint 0, 64-bit 1, length-delimited 2, 32-bit 5). */
const WIRE: Readonly<Record<Scalar, number>> = {
  double: 1,
  float: 5,
  int32: 0,
  uint32: 0,
  sint32: 0,
  fixed32: 5,
  sfixed32: 5,
  int64: 0,
  uint64: 0,
  sint64: 0,
  fixed64: 1,
  sfixed64: 1,
  bool: 0,
  string: 2,
  bytes: 2,
};
const TWO_32 = 4294967296;
/** protobufjs's nesting limit. */
const MAX_DEPTH = 100;

interface Field {
  readonly name: string;
  readonly id: number;
  readonly kind: "normal" | "repeated" | "map";
  /** A scalar's name, or the message type. */
  readonly type: Scalar | Message;
  readonly keyType: Scalar;
}
interface Message {
  readonly name: string;
  /** By field id. */
  readonly fields: readonly Field[];
  readonly byId: ReadonlyMap<number, Field>;
}

const corrupt = (what: string) => new RttError("RTT_ERR_FRAME_CORRUPT", `control frame: ${what}`);

/** Every message type of `root`, by full name, its fields' types resolved. */
function messagesOf(root: NamespaceJson): Map<string, Message> {
  const found = new Map<string, MessageJson>();
  const walk = (ns: NamespaceJson, prefix: string) => {
    for (const [name, child] of Object.entries(ns.nested ?? {})) {
      const full = prefix === "" ? name : `${prefix}.${name}`;
      if (child.values !== undefined) throw unsupported(`the enum ${full}`);
      if (child.fields !== undefined) found.set(full, child);
      walk(child, full);
    }
  };
  walk(root, "");
  const messages = new Map<string, Message>();
  const resolve = (type: string, scope: string): string => {
    for (let at = scope; ; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
      const full = at === "" ? type : `${at}.${type}`;
      if (found.has(full)) return full;
      if (at === "") throw unsupported(`the type ${type} (in ${scope})`);
    }
  };
  for (const [full, json] of found) {
    if (json.oneofs !== undefined) throw unsupported(`the oneofs of ${full}`);
    const fields: Field[] = [];
    messages.set(full, { name: full, fields, byId: new Map() });
  }
  for (const [full, json] of found) {
    const message = messages.get(full) as Message;
    const fields = message.fields as Field[];
    for (const [name, f] of Object.entries(json.fields ?? {})) {
      const type = isScalar(f.type) ? f.type : (messages.get(resolve(f.type, full)) as Message);
      const keyType = f.keyType ?? "string";
      if (!isScalar(keyType)) throw unsupported(`the map key ${keyType} of ${full}.${name}`);
      const kind = f.keyType !== undefined ? "map" : f.rule === "repeated" ? "repeated" : "normal";
      fields.push({ name, id: f.id, kind, type, keyType });
    }
    fields.sort((a, b) => a.id - b.id);
    for (const f of fields) (message.byId as Map<number, Field>).set(f.id, f);
  }
  return messages;
}

function unsupported(what: string): RttError {
  return new RttError("RTT_ERR_INTERNAL", `the framed channel's codec does not support ${what}`);
}

/** The codec of each message type in `root` (protobufjs's JSON form), by full name. */
export function messageCodecs(root: NamespaceJson): ReadonlyMap<string, MessageCodec> {
  const codecs = new Map<string, MessageCodec>();
  for (const [name, message] of messagesOf(root))
    codecs.set(name, {
      encode: (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw new RttError("RTT_ERR_INTERNAL", `a ${name} must be an object`);
        const out: Buffer[] = [];
        writeMessage(out, message, value as Record<string, unknown>);
        return Buffer.concat(out);
      },
      decode: (bytes) => {
        const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        return readMessage(new Reader(buf), message, buf.length, 0);
      },
    });
  return codecs;
}

// ---- reading ----

class Reader {
  readonly buf: Buffer;
  pos = 0;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** A varint's low and high 32 bits (protobufjs reads at most 10 bytes). */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw corrupt("a varint cut short");
      const b = this.buf[this.pos++] as number;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw corrupt("a varint longer than 10 bytes");
  }
  varint32(): number {
    return this.varint64()[0];
  }
  /** The end of a length-delimited part, within `end`. */
  delimited(end: number): number {
    const length = this.varint32();
    if (length > end - this.pos) throw corrupt("a length past the message's end");
    return this.pos + length;
  }
  fixed(bytes: 4 | 8, end: number): number {
    if (this.pos + bytes > end) throw corrupt("a fixed-size value cut short");
    const at = this.pos;
    this.pos += bytes;
    return at;
  }
  skip(wire: number, end: number, depth: number): void {
    if (wire === 0) this.varint64();
    else if (wire === 1) this.fixed(8, end);
    else if (wire === 2) this.pos = this.delimited(end);
    else if (wire === 5) this.fixed(4, end);
    else if (wire === 3) {
      if (depth > MAX_DEPTH) throw corrupt("groups nested too deep");
      for (let w = this.varint32() & 7; w !== 4; w = this.varint32() & 7)
        this.skip(w, end, depth + 1);
    } else throw corrupt(`wire type ${wire}`);
    if (this.pos > end) throw corrupt("a field past the message's end");
  }
}

const asNumber = (lo: number, hi: number, signed: boolean): number =>
  signed && hi >>> 31
    ? -((~lo + 1) >>> 0) - (lo === 0 ? (~hi + 1) >>> 0 : ~hi >>> 0) * TWO_32
    : lo + hi * TWO_32;

function readScalar(r: Reader, type: Scalar, end: number): unknown {
  switch (type) {
    case "double":
      return r.buf.readDoubleLE(r.fixed(8, end));
    case "float":
      return r.buf.readFloatLE(r.fixed(4, end));
    case "fixed32":
      return r.buf.readUInt32LE(r.fixed(4, end));
    case "sfixed32":
      return r.buf.readInt32LE(r.fixed(4, end));
    case "fixed64":
    case "sfixed64": {
      const at = r.fixed(8, end);
      return asNumber(r.buf.readUInt32LE(at), r.buf.readUInt32LE(at + 4), type === "sfixed64");
    }
    case "bool":
      return r.varint32() !== 0;
    case "int32":
      return r.varint32() | 0;
    case "uint32":
      return r.varint32();
    case "sint32": {
      const n = r.varint32();
      return (n >>> 1) ^ -(n & 1);
    }
    case "int64":
    case "uint64": {
      const [lo, hi] = r.varint64();
      return asNumber(lo, hi, type === "int64");
    }
    case "sint64": {
      const [lo, hi] = r.varint64();
      const mask = -(lo & 1);
      return asNumber((((lo >>> 1) | (hi << 31)) ^ mask) >>> 0, ((hi >>> 1) ^ mask) >>> 0, true);
    }
    case "string":
    case "bytes": {
      const stop = r.delimited(end);
      const at = r.pos;
      r.pos = stop;
      return type === "string"
        ? r.buf.toString("utf8", at, stop)
        : Buffer.from(r.buf.subarray(at, stop));
    }
  }
}

function readValue(r: Reader, type: Scalar | Message, end: number, depth: number): unknown {
  if (typeof type === "string") return readScalar(r, type, end);
  return readMessage(r, type, r.delimited(end), depth + 1);
}

/** A value defined as an own property: a map key named `__proto__` stays a key. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** A default as protobufjs's toObject fills it in (`defaults: true`). */
function defaultOf(type: Scalar | Message): unknown {
  if (typeof type !== "string") return null;
  if (type === "string") return "";
  if (type === "bool") return false;
  if (type === "bytes") return Buffer.alloc(0);
  return 0;
}

function readMessage(
  r: Reader,
  message: Message,
  end: number,
  depth: number,
): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw corrupt("messages nested too deep");
  // protobufjs's key order: repeated fields, then maps, then the rest, each by field id.
  const out: Record<string, unknown> = {};
  for (const kind of ["repeated", "map", "normal"] as const)
    for (const f of message.fields)
      if (f.kind === kind)
        out[f.name] = kind === "repeated" ? [] : kind === "map" ? {} : defaultOf(f.type);
  while (r.pos < end) {
    const tag = r.varint32();
    const field = message.byId.get(tag >>> 3);
    if (field === undefined) {
      r.skip(tag & 7, end, depth);
      continue;
    }
    if (field.kind === "normal") out[field.name] = readValue(r, field.type, end, depth);
    else if (field.kind === "repeated") {
      const list = out[field.name] as unknown[];
      const packable = typeof field.type === "string" && WIRE[field.type] !== 2;
      if (packable && (tag & 7) === 2) {
        const stop = r.delimited(end);
        while (r.pos < stop) list.push(readValue(r, field.type, stop, depth));
        if (r.pos !== stop) throw corrupt("a packed field past its length");
      } else list.push(readValue(r, field.type, end, depth));
    } else {
      const stop = r.delimited(end);
      let key = defaultOf(field.keyType);
      let value = defaultOf(field.type);
      while (r.pos < stop) {
        const entryTag = r.varint32();
        if (entryTag >>> 3 === 1) key = readScalar(r, field.keyType, stop);
        else if (entryTag >>> 3 === 2) value = readValue(r, field.type, stop, depth);
        else r.skip(entryTag & 7, stop, depth);
      }
      if (r.pos !== stop) throw corrupt("a map entry past its length");
      define(out[field.name] as Record<string, unknown>, String(key), value);
    }
  }
  if (r.pos !== end) throw corrupt("a field past the message's end");
  return out;
}

// ---- writing ----

function varint(out: Buffer[], lo: number, hi = 0): void {
  out.push(varintBytes(lo, hi));
}

function varintBytes(lo: number, hi: number): Buffer {
  const bytes: number[] = [];
  while (hi !== 0 || lo > 0x7f) {
    bytes.push((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  bytes.push(lo);
  return Buffer.from(bytes);
}

/** A number's 64-bit two's complement as low and high 32 bits (as protobufjs's LongBits). */
function bits64(n: number): [number, number] {
  const abs = Math.trunc(Math.abs(Number.isFinite(n) ? n : 0));
  let lo = abs >>> 0;
  let hi = Math.floor(abs / TWO_32) >>> 0;
  if (n < 0) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 0xffffffff) {
      lo = 0;
      hi = (hi + 1) >>> 0;
    }
  }
  return [lo, hi];
}

function fixedBytes(size: 4 | 8, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  write(b);
  return b;
}

/** A scalar's bytes after its tag: a varint's low and high bits, or the bytes themselves. */
function scalarBytes(type: Scalar, value: unknown): Buffer | [number, number] {
  const n = Number(value);
  switch (type) {
    case "double":
      return fixedBytes(8, (b) => b.writeDoubleLE(n));
    case "float":
      return fixedBytes(4, (b) => b.writeFloatLE(n));
    case "fixed32":
      return fixedBytes(4, (b) => b.writeUInt32LE(n >>> 0));
    case "sfixed32":
      return fixedBytes(4, (b) => b.writeInt32LE(n | 0));
    case "fixed64":
    case "sfixed64": {
      const [lo, hi] = bits64(n);
      return fixedBytes(8, (b) => {
        b.writeUInt32LE(lo);
        b.writeUInt32LE(hi, 4);
      });
    }
    case "bool":
      return [value ? 1 : 0, 0];
    case "uint32":
      return [n >>> 0, 0];
    case "int32":
      // A negative int32 is written as the 64-bit varint of its sign extension, as protobufjs does.
      return bits64(n | 0);
    case "sint32":
      return [(((n | 0) << 1) ^ ((n | 0) >> 31)) >>> 0, 0];
    case "int64":
    case "uint64":
      return bits64(n);
    case "sint64": {
      const [lo, hi] = bits64(n);
      const mask = hi >> 31;
      return [((lo << 1) ^ mask) >>> 0, (((hi << 1) | (lo >>> 31)) ^ mask) >>> 0];
    }
    case "string":
    case "bytes": {
      const bytes =
        type === "string" ? Buffer.from(String(value), "utf8") : Buffer.from(value as Uint8Array);
      return Buffer.concat([varintBytes(bytes.length, 0), bytes]);
    }
  }
}

function writeValue(out: Buffer[], id: number, type: Scalar | Message, value: unknown): void {
  if (typeof type === "string") {
    varint(out, ((id << 3) | WIRE[type]) >>> 0);
    const bytes = scalarBytes(type, value);
    if (Array.isArray(bytes)) varint(out, bytes[0], bytes[1]);
    else out.push(bytes);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new RttError("RTT_ERR_INTERNAL", `a ${type.name} must be an object`);
  const inner: Buffer[] = [];
  writeMessage(inner, type, value as Record<string, unknown>);
  varint(out, ((id << 3) | 2) >>> 0);
  varint(
    out,
    inner.reduce((n, b) => n + b.length, 0),
  );
  out.push(...inner);
}

function writeMessage(out: Buffer[], message: Message, value: Record<string, unknown>): void {
  for (const f of message.fields) {
    const v = Object.hasOwn(value, f.name) ? value[f.name] : undefined;
    if (v === undefined || v === null) continue;
    if (f.kind === "normal") writeValue(out, f.id, f.type, v);
    else if (f.kind === "repeated")
      for (const item of v as unknown[]) writeValue(out, f.id, f.type, item);
    else
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        const entry: Buffer[] = [];
        writeValue(entry, 1, f.keyType, key);
        writeValue(entry, 2, f.type, item);
        varint(out, ((f.id << 3) | 2) >>> 0);
        varint(
          out,
          entry.reduce((n, b) => n + b.length, 0),
        );
        out.push(...entry);
      }
  }
}
