/**
 * An audit record and its hash chain (docs/design.md §Invariants: audit ledger): what a caller
 * supplies, what the ledger adds, how a record is hashed, written as a line and read back.
 *
 * `hash` is the SHA-256 of the record's RFC 8785 canonical JSON without `hash`; `prev` is the
 * previous record's `hash` (64 zeros for the first), and `prev` is inside what `hash` covers. This
 * detects accidents and casual edits; the head is signed and anchored in the WAL
 * (`anchor.ts`, docs/adr/0019-audit-identity.md) against a rewrite of the whole file.
 *
 * Format versions: `claimed_by` and `token` (ADR 0019) are written only when they have a value,
 * so a record without them hashes exactly as records did before they existed: old ledgers verify.
 */
import { hostname, userInfo } from "node:os";
import { canonicalHash } from "@rtt/core/canonical-json.ts";
import { RttError } from "@rtt/core/errors.ts";
import type { JsonValue } from "@rtt/core/json-value.ts";

/**
 * `degrade`: a route moved to a stub of its target (its breaker opened); `restore`: back.
 * `aborted`: the change recorded just before did not commit (the WAL could not take it, issue
 * 15, finding 6); the record is written first so nothing commits unaudited, and this one says
 * it did not happen. `retire`: a route's old target was closed after a move, and how its program
 * ended (ADR 0024). `adopt`: a restarted panel found a route's source writing to another target
 * than its WAL's last commit says (a hot swap whose commit a crash lost) and took the drivers'
 * word for it (docs/adr/0030-durability-contract.md).
 */
export const AUDIT_ACTIONS = [
  "bind",
  "unbind",
  "swap",
  "trip",
  "heal",
  "rollback",
  "degrade",
  "restore",
  "aborted",
  "retire",
  /** A watching panel applied a plan by itself (panel.yaml routing.reroute: auto). */
  "reroute",
  "adopt",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The `prev` of the first record. */
export const GENESIS_HASH = "0".repeat(64);

/** What a caller supplies; the ledger adds seq, at, prev and hash. */
export interface AuditEntry {
  readonly action: AuditAction;
  readonly route: string;
  readonly why: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
  /**
   * The caller as the kernel names it (`uid=1000(alice) pid=4242`, identity.ts), or "panel" for
   * what the panel did on its own. Default: this process's user.
   */
  readonly who?: string;
  /** What the client said it was (`who` in its request), kept beside the real identity. */
  readonly claimed_by?: string;
  /** The id of the capability token the call carried. */
  readonly token?: string;
}

export interface AuditRecord {
  readonly seq: number;
  readonly at: string;
  readonly who: string;
  readonly claimed_by?: string;
  readonly token?: string;
  readonly action: AuditAction;
  readonly route: string;
  readonly why: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
  readonly prev: string;
  readonly hash: string;
}

/** The newest record's seq and hash, kept beside the ledger to detect a cut-off tail. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** How records are stamped as they are chained. */
export interface RecordStamp {
  /** The time source for `at`. Default: the system clock. */
  readonly clock?: () => Date;
  /** Default `who` for entries that give none. Default: `user@host` of this process. */
  readonly who?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = [
  "seq",
  "at",
  "who",
  "claimed_by",
  "token",
  "action",
  "route",
  "why",
  "before",
  "after",
  "prev",
  "hash",
];
const OPTIONAL_STRINGS = ["claimed_by", "token"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when `v` has the shape of a head: a safe-integer seq and a SHA-256 hex hash. */
export function isAuditHead(v: unknown): v is AuditHead {
  return (
    isObject(v) && Number.isSafeInteger(v.seq) && typeof v.hash === "string" && HEX64.test(v.hash)
  );
}

/** The record's hash: SHA-256 of its canonical JSON without `hash`. */
export function recordHash(record: Omit<AuditRecord, "hash"> | AuditRecord): string {
  const { hash: _ignored, ...rest } = record as AuditRecord;
  return canonicalHash(rest);
}

/** A record as one NDJSON line (fields in a fixed, readable order), newline included. */
export function recordLine(record: AuditRecord): string {
  const { seq, at, who, claimed_by, token, action, route, why, before, after, prev, hash } = record;
  // JSON.stringify leaves out the optional fields that are undefined.
  const line = { seq, at, who, claimed_by, token, action, route, why, before, after, prev, hash };
  return `${JSON.stringify(line)}\n`;
}

function shapeError(v: Record<string, unknown>): string | undefined {
  if (!Number.isSafeInteger(v.seq) || (v.seq as number) < 1) return "seq is not a positive integer";
  for (const key of ["at", "who", "route", "why"] as const) {
    if (typeof v[key] !== "string") return `${key} is not a string`;
  }
  for (const key of OPTIONAL_STRINGS) {
    if (key in v && typeof v[key] !== "string") return `${key} is not a string`;
  }
  if (!(AUDIT_ACTIONS as readonly unknown[]).includes(v.action)) {
    return `action is not one of ${AUDIT_ACTIONS.join(", ")}`;
  }
  if (!("before" in v) || !("after" in v)) return "before or after is missing";
  for (const key of ["prev", "hash"] as const) {
    if (typeof v[key] !== "string" || !HEX64.test(v[key])) return `${key} is not a SHA-256 hex`;
  }
  const extra = Object.keys(v).filter((k) => !FIELDS.includes(k));
  if (extra.length > 0) return `unexpected field ${extra[0]}`;
  return undefined;
}

/** One line (without its newline) read as a record, or the first thing wrong with it. */
export type ParsedRecord =
  | { readonly ok: true; readonly record: AuditRecord }
  | {
      readonly ok: false;
      readonly problem: "not-json" | "malformed" | "edited";
      /** The seq the line claims, when it has one. */
      readonly seq: number | undefined;
      readonly message: string;
    };

/** Reads one line as a record whose hash matches its content; says nothing of the chain. */
export function parseRecord(line: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, problem: "not-json", seq: undefined, message: "the line is not JSON" };
  }
  if (!isObject(value)) {
    return {
      ok: false,
      problem: "malformed",
      seq: undefined,
      message: "the line is not an object",
    };
  }
  const seq = Number.isSafeInteger(value.seq) ? (value.seq as number) : undefined;
  const shape = shapeError(value);
  if (shape !== undefined) {
    return { ok: false, problem: "malformed", seq, message: `not a ledger record: ${shape}` };
  }
  const record = value as unknown as AuditRecord;
  if (recordHash(record) !== record.hash) {
    const message = `record seq ${record.seq} was edited: its hash does not match its content`;
    return { ok: false, problem: "edited", seq: record.seq, message };
  }
  return { ok: true, record };
}

/** `user@host` of this process. */
export function currentWho(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? "unknown";
  }
  return `${user}@${hostname()}`;
}

/**
 * Stamps `entries` (all with one `at`) and chains them after `last`, the ledger's newest record
 * (undefined for an empty ledger). Returns the records and the new head.
 */
export function chainRecords(
  entries: readonly AuditEntry[],
  last: AuditHead | undefined,
  stamp: RecordStamp,
): { records: AuditRecord[]; head: AuditHead } {
  for (const entry of entries) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) {
      throw new RttError(
        "RTT_ERR_INTERNAL",
        `audit action ${String(entry.action)} is not one of ${AUDIT_ACTIONS.join(", ")}`,
      );
    }
  }
  const at = (stamp.clock ?? (() => new Date()))().toISOString();
  const records: AuditRecord[] = [];
  let head = last;
  for (const entry of entries) {
    const body: Omit<AuditRecord, "hash"> = {
      seq: (head?.seq ?? 0) + 1,
      at,
      who: entry.who ?? stamp.who ?? currentWho(),
      ...(entry.claimed_by === undefined ? {} : { claimed_by: entry.claimed_by }),
      ...(entry.token === undefined ? {} : { token: entry.token }),
      action: entry.action,
      route: entry.route,
      why: entry.why,
      before: entry.before,
      after: entry.after,
      prev: head?.hash ?? GENESIS_HASH,
    };
    const record: AuditRecord = { ...body, hash: recordHash(body) };
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  if (head === undefined) throw new RttError("RTT_ERR_INTERNAL", "audit append of no records");
  return { records, head };
}
