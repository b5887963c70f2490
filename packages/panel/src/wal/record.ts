/**
 * WAL record framing. One record on disk:
 *
 *   0        4        8     9                      8 + length
 *   +--------+--------+-----+----------------------+
 *   | length | crc32  | typ | payload (UTF-8 JSON) |
 *   +--------+--------+-----+----------------------+
 *
 * `length` (u32 LE) counts the type byte plus the payload; `crc32` (u32 LE, zlib.crc32) covers
 * the same bytes. Every payload carries the record's sequence number (`seq`), so a record is
 * self-describing and replay can check the sequence has no gap. Decoding never throws: bytes that
 * are not a whole, intact record come back as a reason, and the reader decides whether that is a
 * torn tail or damage in the middle.
 */
import { crc32 } from "node:zlib";
import type { JsonValue } from "@rtt/core";

export const HEADER_BYTES = 8;
/** A record larger than this is treated as damage, never allocated. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * `link`: a link opened in a driver (`<driver>/<link id>`), which owns that link's lanes — their
 * segments and sockets — and removes them when the link closes or the driver dies.
 */
export const RESOURCE_KINDS = ["segment", "socket", "pid", "lock", "link"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Who may keep a resource alive: a process named by pid and /proc start time, and an optional deadline. */
export interface Lease {
  readonly pid: number;
  readonly startTime: string;
  /** Epoch milliseconds after which the resource may be reaped even if the holder lives. */
  readonly expiresMs?: number;
}

/**
 * A resource the panel is about to create, recorded before it is created
 * (docs/design.md §Processes and sockets: sockets and the resource ledger).
 */
export interface ResourceIntent {
  readonly kind: ResourceKind;
  /** Segment name, socket path, pid as text, lock path, `<driver>/<link id>`: unique per kind. */
  readonly name: string;
  /** Who owns it: e.g. `panel`, `route:<id>`, `driver:<connector>`. */
  readonly owner: string;
  readonly lease: Lease;
}

export type WalAction =
  | { readonly type: "resource"; readonly resource: ResourceIntent }
  | { readonly type: "edit"; readonly edit: JsonValue };

export const RECORD_TYPES = {
  begin: 1,
  op: 2,
  commit: 3,
  abort: 4,
  "resource-released": 5,
  checkpoint: 6,
} as const;
export type RecordType = keyof typeof RECORD_TYPES;

/**
 * The audit ledger's head (seq and hash of its newest record) as of a commit: the ledger is
 * checked against it (audit/anchor.ts), so a ledger deleted, cut back or restarted shows.
 */
export interface AuditAnchor {
  readonly seq: number;
  readonly hash: string;
}

export type WalRecord =
  | { readonly type: "begin"; readonly seq: number; readonly txid: string; readonly pre: JsonValue }
  | { readonly type: "op"; readonly seq: number; readonly txid: string; readonly action: WalAction }
  | {
      readonly type: "commit";
      readonly seq: number;
      readonly txid: string;
      readonly post: JsonValue;
      /** Absent in commits written before anchoring, and when the ledger was empty. */
      readonly audit?: AuditAnchor;
    }
  | { readonly type: "abort"; readonly seq: number; readonly txid: string }
  | {
      readonly type: "resource-released";
      readonly seq: number;
      readonly kind: ResourceKind;
      readonly name: string;
    }
  | {
      /**
       * Everything replay needs from the records before it (compaction): the newest commits
       * (the last is the committed topology; the others stay rollback targets) and the resource
       * ledger. Written only while no transaction is open.
       */
      readonly type: "checkpoint";
      readonly seq: number;
      readonly commits: readonly CheckpointCommit[];
      readonly ledger: readonly CheckpointResource[];
    };

export interface CheckpointCommit {
  readonly seq: number;
  readonly txid: string;
  readonly post: JsonValue;
  readonly audit?: AuditAnchor;
}

/** A ledger entry carried by a checkpoint: the resource and the fate of its transaction. */
export interface CheckpointResource extends ResourceIntent {
  readonly seq: number;
  readonly txid: string;
  readonly status: "committed" | "aborted" | "partial";
}

const TYPE_BY_CODE = new Map<number, RecordType>(
  Object.entries(RECORD_TYPES).map(([name, code]) => [code, name as RecordType]),
);

/**
 * The whole record as one buffer, so it is appended with one write. `postText`: a commit's
 * `JSON.stringify(post)`, when the caller has it for less (reconcile/graph-text.ts).
 */
export function encodeRecord(record: WalRecord, postText?: string): Buffer {
  const { type, ...rest } = record;
  // Encoded straight into the record's buffer: a commit carries the whole graph (tens of KB at
  // a hundred routes), and a second copy of it was a fifth of the record's cost.
  const payload =
    record.type === "commit" && postText !== undefined
      ? commitPayload(record, postText)
      : JSON.stringify(rest);
  const length = Buffer.byteLength(payload, "utf8");
  const out = Buffer.allocUnsafe(HEADER_BYTES + 1 + length);
  out.writeUInt32LE(1 + length, 0);
  out.writeUInt8(RECORD_TYPES[type], HEADER_BYTES);
  out.write(payload, HEADER_BYTES + 1, "utf8");
  out.writeUInt32LE(crc32(out.subarray(HEADER_BYTES)), 4);
  return out;
}

/** A commit's payload as JSON.stringify writes it (same keys, same order), its post given as text. */
function commitPayload(record: Extract<WalRecord, { type: "commit" }>, postText: string): string {
  const audit = record.audit === undefined ? "" : `,"audit":${JSON.stringify(record.audit)}`;
  return `{"seq":${record.seq},"txid":${JSON.stringify(record.txid)},"post":${postText}${audit}}`;
}

export type DecodeResult =
  | { readonly ok: true; readonly record: WalRecord; readonly size: number }
  | {
      readonly ok: false;
      /** `short`: the bytes end inside the record; `bad`: a whole record's bytes that are wrong. */
      readonly kind: "short" | "bad";
      readonly reason: string;
    };

/** Decodes the record at `offset`; never throws. */
export function decodeRecord(buf: Buffer, offset: number): DecodeResult {
  const left = buf.length - offset;
  if (left < HEADER_BYTES) return { ok: false, kind: "short", reason: "short header" };
  const length = buf.readUInt32LE(offset);
  if (length < 1 || length > MAX_RECORD_BYTES)
    return { ok: false, kind: "bad", reason: `implausible length ${length}` };
  if (left < HEADER_BYTES + length)
    return { ok: false, kind: "short", reason: `record of ${length} bytes cut short` };
  const body = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
  if (crc32(body) !== buf.readUInt32LE(offset + 4))
    return { ok: false, kind: "bad", reason: "checksum mismatch" };
  const type = TYPE_BY_CODE.get(body[0] ?? 0);
  if (type === undefined) return { ok: false, kind: "bad", reason: `unknown type ${body[0]}` };
  let payload: unknown;
  try {
    payload = JSON.parse(body.subarray(1).toString("utf8"));
  } catch {
    return { ok: false, kind: "bad", reason: "payload is not JSON" };
  }
  const record = checkPayload(type, payload);
  if (record === undefined) return { ok: false, kind: "bad", reason: `malformed ${type} payload` };
  return { ok: true, record, size: HEADER_BYTES + length };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when `v` is an audit anchor: a positive seq and a SHA-256 hex hash. */
export function isAnchor(v: unknown): v is AuditAnchor {
  return (
    isObject(v) &&
    Number.isSafeInteger(v.seq) &&
    (v.seq as number) >= 1 &&
    typeof v.hash === "string" &&
    /^[0-9a-f]{64}$/.test(v.hash)
  );
}

const KINDS: ReadonlySet<string> = new Set(RESOURCE_KINDS);

function checkResource(v: unknown): v is ResourceIntent {
  if (!isObject(v) || !isObject(v.lease)) return false;
  return (
    typeof v.kind === "string" &&
    KINDS.has(v.kind) &&
    typeof v.name === "string" &&
    typeof v.owner === "string" &&
    typeof v.lease.pid === "number" &&
    typeof v.lease.startTime === "string"
  );
}

// The CRC guards against damage; these checks guard against a record this code never wrote.
function checkPayload(type: RecordType, p: unknown): WalRecord | undefined {
  if (!isObject(p) || typeof p.seq !== "number" || !Number.isSafeInteger(p.seq) || p.seq < 1)
    return undefined;
  const seq = p.seq;
  if (type === "checkpoint") {
    const { commits, ledger } = p;
    const commitOk = (c: unknown) =>
      isObject(c) && typeof c.seq === "number" && typeof c.txid === "string" && "post" in c;
    const entryOk = (e: unknown) =>
      checkResource(e) &&
      typeof (e as { seq?: unknown }).seq === "number" &&
      typeof (e as { txid?: unknown }).txid === "string" &&
      ["committed", "aborted", "partial"].includes(String((e as { status?: unknown }).status));
    if (!Array.isArray(commits) || !commits.every(commitOk)) return undefined;
    if (!Array.isArray(ledger) || !ledger.every(entryOk)) return undefined;
    return {
      type,
      seq,
      commits: commits as CheckpointCommit[],
      ledger: ledger as CheckpointResource[],
    };
  }
  if (type === "resource-released") {
    if (typeof p.kind !== "string" || !KINDS.has(p.kind) || typeof p.name !== "string")
      return undefined;
    return { type, seq, kind: p.kind as ResourceKind, name: p.name };
  }
  if (typeof p.txid !== "string") return undefined;
  const txid = p.txid;
  switch (type) {
    case "begin":
      return "pre" in p ? { type, seq, txid, pre: p.pre as JsonValue } : undefined;
    case "commit": {
      if (!("post" in p)) return undefined;
      const post = p.post as JsonValue;
      if (!("audit" in p)) return { type, seq, txid, post };
      return isAnchor(p.audit) ? { type, seq, txid, post, audit: p.audit } : undefined;
    }
    case "abort":
      return { type, seq, txid };
    case "op": {
      const a = p.action;
      if (!isObject(a)) return undefined;
      if (a.type === "resource" && checkResource(a.resource))
        return { type, seq, txid, action: { type: "resource", resource: a.resource } };
      if (a.type === "edit" && "edit" in a)
        return { type, seq, txid, action: { type: "edit", edit: a.edit as JsonValue } };
      return undefined;
    }
  }
}
