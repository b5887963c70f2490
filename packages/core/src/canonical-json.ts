/**
 * RFC 8785 JSON Canonicalization Scheme (JCS). Hashes of contracts and plans are taken over
 * this form, so two semantically equal documents hash equally whatever their key order or
 * number spelling.
 *
 * JCS is defined in terms of ECMAScript's own serialisation, which is why this is short:
 * - numbers: ES `Number.prototype.toString` (what JSON.stringify emits for finite numbers);
 * - strings: JSON.stringify's escaping (ES2019 "well-formed" form), after rejecting lone
 *   surrogates, which JCS (being I-JSON) forbids;
 * - object keys: sorted by UTF-16 code units, which is exactly what Array#sort compares.
 */
import { createHash } from "node:crypto";
import { RttError } from "./errors.ts";

/**
 * The JSON pointer of the member being serialised, as a stack of escaped segments: joined only
 * when a value fails, because building a path string per member was most of the cost of
 * hashing a large plan's inputs (issue 20).
 */
type Path = string[];

function fail(path: Path, what: string): never {
  const at = path.length === 0 ? "/" : `/${path.join("/")}`;
  throw new RttError("RTT_ERR_CANON_VALUE", `${what} at ${at} has no canonical JSON form`);
}

function serializeString(s: string, path: Path): string {
  // JCS (I-JSON) forbids lone surrogates; a well-formed string has none.
  if (!s.isWellFormed()) fail(path, "a string with a lone surrogate");
  return JSON.stringify(s);
}

/**
 * The canonical text of an object computed once, emitted verbatim wherever it occurs in a value
 * being serialised (see `canonicalOnce`).
 */
class CanonicalText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** The texts `canonicalOnce` computed, by object: reused wherever the object occurs again. */
const once = new WeakMap<object, CanonicalText>();

function serialize(value: unknown, path: Path, out: string[]): void {
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) fail(path, String(value));
      out.push(JSON.stringify(value));
      return;
    case "string":
      out.push(serializeString(value, path));
      return;
    case "object":
      break;
    default:
      fail(path, `a value of type ${typeof value}`);
  }
  const known = value instanceof CanonicalText ? value : once.get(value);
  if (known !== undefined) {
    out.push(known.text);
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      path.push(String(i));
      serialize(value[i], path, out);
      path.pop();
    }
    out.push("]");
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(path, "a non-plain object");
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  out.push("{");
  let first = true;
  for (const key of keys) {
    const item = record[key];
    // JSON.stringify drops undefined members; so does JCS's "serialize as JSON.stringify would".
    if (item === undefined) continue;
    if (!first) out.push(",");
    first = false;
    out.push(serializeString(key, path), ":");
    path.push(key.replaceAll("~", "~0").replaceAll("/", "~1"));
    serialize(item, path, out);
    path.pop();
  }
  out.push("}");
}

/**
 * The RFC 8785 canonical text of a JSON value. Pieces are joined once at the end (a flat string:
 * `+=` would build a rope that hashing then has to flatten, which costs more than the joins).
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  serialize(value, [], out);
  return out.join("");
}

/** Lowercase hex SHA-256 of the canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}

/**
 * An object's canonical text, computed once per object (by identity), and from then on reused
 * wherever the object occurs in a value given to `canonicalJson`/`canonicalHash` (the result
 * may also stand for it: `canonicalJson([canonicalOnce(a)])` is `canonicalJson([a])`). For
 * immutable objects hashed again and again — catalog symbols in every plan's inputs hash, edge
 * ends shared by many edges, edges in the diff and the topology hash. An object mutated after
 * its first use keeps its old text, so use it only on objects nothing mutates.
 */
export function canonicalOnce(value: object): CanonicalText {
  let text = once.get(value);
  if (text === undefined) {
    text = new CanonicalText(canonicalJson(value));
    once.set(value, text);
  }
  return text;
}

export type { CanonicalText };
