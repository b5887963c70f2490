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
import { createHash, hash } from "node:crypto";
import { RttError } from "./errors.ts";

/**
 * The JSON pointer of the member being serialised, as a stack of raw keys and indexes: escaped
 * and joined only when a value fails, because building a path string per member was most of the
 * cost of hashing a large plan's inputs (issue 20), and escaping each key a tenth of the rest.
 */
type Path = (string | number)[];

function fail(path: Path, what: string): never {
  const segments = path.map((s) => String(s).replaceAll("~", "~0").replaceAll("/", "~1"));
  const at = segments.length === 0 ? "/" : `/${segments.join("/")}`;
  throw new RttError("RTT_ERR_CANON_VALUE", `${what} at ${at} has no canonical JSON form`);
}

function serializeString(s: string, path: Path): string {
  // JCS (I-JSON) forbids lone surrogates; a well-formed string has none.
  if (!s.isWellFormed()) fail(path, "a string with a lone surrogate");
  return JSON.stringify(s);
}

/**
 * A member name's text as it opens an object (`{"name":`) and as it follows another member
 * (`,"name":`), by name: a plan's inputs repeat a few dozen names hundreds of thousands of
 * times, and one piece per member halves the pieces to join. Bounded like `memoByString`
 * (names come from hostile documents too): when full, it starts over.
 */
const memberTexts = new Map<string, readonly [string, string]>();
const MEMBER_TEXT_LIMIT = 4096;

function memberText(key: string, path: Path, first: boolean): string {
  let text = memberTexts.get(key);
  if (text === undefined) {
    const bare = `${serializeString(key, path)}:`;
    text = [`{${bare}`, `,${bare}`];
    if (memberTexts.size >= MEMBER_TEXT_LIMIT) memberTexts.clear();
    memberTexts.set(key, text);
  }
  return first ? text[0] : text[1];
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
    for (let i = 0; i < value.length; i++) {
      out.push(i === 0 ? "[" : ",");
      path.push(i);
      serialize(value[i], path, out);
      path.pop();
    }
    out.push(value.length === 0 ? "[]" : "]");
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) fail(path, "a non-plain object");
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let first = true;
  for (const key of keys) {
    const item = record[key];
    // JSON.stringify drops undefined members; so does JCS's "serialize as JSON.stringify would".
    if (item === undefined) continue;
    out.push(memberText(key, path, first));
    first = false;
    path.push(key);
    serialize(item, path, out);
    path.pop();
  }
  out.push(first ? "{}" : "}");
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

/** How many pieces of canonical text are hashed at a time (see `canonicalHash`). */
const HASH_BATCH = 4096;

/**
 * Lowercase hex SHA-256 of the canonical JSON of a value. The text is hashed in batches of
 * pieces, never joined whole: a plan's inputs run to megabytes, and one string of them (and its
 * UTF-8 copy inside `update`) was garbage the size of the catalog on every plan.
 */
export function canonicalHash(value: unknown): string {
  const out: string[] = [];
  serialize(value, [], out);
  // One batch (a symbol's launch, an edge): the one-shot digest, no Hash object to build.
  if (out.length <= HASH_BATCH) return hash("sha256", out.join(""), "hex");
  const hasher = createHash("sha256");
  for (let i = 0; i < out.length; i += HASH_BATCH)
    hasher.update(out.slice(i, i + HASH_BATCH).join(""), "utf8");
  return hasher.digest("hex");
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

/**
 * `canonicalJson(a) === canonicalJson(b)` for two plain objects, member by member: a member that
 * is an object compares by its `canonicalOnce` text, so an object shared by many comparisons (an
 * edge's end, shared by every route to one target) is serialised once, and no text of the whole
 * is built. Throws as `canonicalJson` would on a value without a canonical form.
 */
export function sameCanonicalMembers(a: object, b: object): boolean {
  const keysOf = (o: object) =>
    Object.keys(o)
      .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
      .sort();
  const keys = keysOf(a);
  const other = keysOf(b);
  if (keys.length !== other.length || keys.some((k, i) => k !== other[i])) return false;
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    if (x === y && (typeof x !== "number" || Number.isFinite(x))) {
      if (typeof x === "string") serializeString(x, [key]);
      continue;
    }
    const textOf = (v: unknown) =>
      typeof v === "object" && v !== null ? canonicalOnce(v).text : canonicalJson(v);
    if (textOf(x) !== textOf(y)) return false;
  }
  return true;
}

export type { CanonicalText };
