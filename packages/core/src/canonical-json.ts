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

/** What `sortedView` returns for a value `JSON.stringify` would not write as JCS does. */
const NOT_NATIVE: unique symbol = Symbol("not native");

/**
 * `value` with every object's members in sorted order: the value itself where it is so already
 * (an object parsed from canonical text), a copy where it is not. `NOT_NATIVE` when
 * `JSON.stringify` of it could differ from the canonical text or succeed where JCS refuses: a
 * non-finite number (written as null), undefined in an array (null), a non-plain object or a
 * `toJSON` (written as it says), a key an engine orders as an array index whatever the insertion
 * order (an array index), `__proto__` (a copy would set the prototype), a function, symbol or
 * bigint.
 */
function sortedView(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : NOT_NATIVE;
    case "object":
      break;
    default:
      return NOT_NATIVE;
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.hasOwn(value, "toJSON"))
      return NOT_NATIVE;
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const view = sortedView(item);
      if (view === NOT_NATIVE || item === undefined) return NOT_NATIVE;
      if (copy === undefined && view !== item) copy = value.slice(0, i);
      if (copy !== undefined) copy.push(view);
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_NATIVE;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const first = key.charCodeAt(0);
    // An array index ("7", not "7a") goes before every other key in any object, in numeric order.
    if ((first >= 48 && first <= 57 && isArrayIndex(key)) || key === "__proto__") return NOT_NATIVE;
    if (i > 0 && (keys[i - 1] as string) > key) sorted = false;
  }
  if (!sorted) keys.sort();
  let copy: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = record[key];
    const view = item === undefined ? undefined : sortedView(item);
    if (view === NOT_NATIVE) return NOT_NATIVE;
    if (copy === undefined && view !== item) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j] as string] = record[keys[j] as string];
    }
    if (copy !== undefined) copy[key] = view;
  }
  return copy ?? value;
}

/** A key engines order as an array index: a canonical integer below 2³² − 1. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 4_294_967_295;
}

/** `JSON.stringify`'s escape of a lone surrogate (a well-formed pair is written as it is). */
const SURROGATE_ESCAPE = /\\ud[89a-f]/;

/**
 * The canonical text by the engine's own serialiser, when that gives it: `JSON.stringify` writes
 * numbers, strings and literals as JCS does (JCS is defined by it), and members in insertion
 * order, so of a `sortedView` it is the canonical text — ≈ 3 × faster than piece by piece (a
 * fresh plan's inputs, issue 20). Undefined when the value is not plain JSON or holds a lone
 * surrogate (or text that looks like its escape): `serialize` then decides, and names the member
 * it refuses. Texts `canonicalOnce` made are not looked up here: they are the same text.
 */
function nativeText(value: unknown): string | undefined {
  const view = sortedView(value);
  if (view === NOT_NATIVE) return undefined;
  const text = JSON.stringify(view);
  // A plain search first: the regular expression over a plan's megabytes of inputs cost more.
  return text.includes("\\ud") && SURROGATE_ESCAPE.test(text) ? undefined : text;
}

/**
 * The RFC 8785 canonical text of a JSON value. Piece by piece (when `nativeText` cannot), the
 * pieces are joined once at the end (a flat string: `+=` would build a rope that hashing then has
 * to flatten, which costs more than the joins).
 */
export function canonicalJson(value: unknown): string {
  const native = nativeText(value);
  if (native !== undefined) return native;
  const out: string[] = [];
  serialize(value, [], out);
  return out.join("");
}

/**
 * node:crypto, on the first hash: it is not in Node's start-up snapshot, and commands that only
 * read documents (`rtt ls routes`) hash nothing.
 */
let cryptoModule: typeof import("node:crypto") | undefined;
const crypto = () => (cryptoModule ??= process.getBuiltinModule("node:crypto"));

/** How many pieces of canonical text are hashed at a time (see `canonicalHash`). */
const HASH_BATCH = 4096;

/**
 * Lowercase hex SHA-256 of the canonical JSON of a value. The text is hashed in batches of
 * pieces, never joined whole: a plan's inputs run to megabytes, and one string of them (and its
 * UTF-8 copy inside `update`) was garbage the size of the catalog on every plan.
 */
export function canonicalHash(value: unknown): string {
  const { createHash, hash } = crypto();
  const native = nativeText(value);
  if (native !== undefined) return hash("sha256", native, "hex");
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
 * `canonicalJson(a) === canonicalJson(b)` for two plain objects, without the text of either: a
 * walk of both at once that stops at the first difference. A plan compares every route's wiring
 * with the observed one, whose objects are fresh from the WAL: building their texts to compare
 * them was most of the diff's cost (issue 20). Throws as `canonicalJson` would on a value without
 * a canonical form that the walk reaches; an object met again as itself is equal unexamined.
 */
export function sameCanonicalMembers(a: object, b: object): boolean {
  return sameCanonical(a, b, []);
}

function sameCanonical(x: unknown, y: unknown, path: Path): boolean {
  if (x === y && typeof x === "object") return true;
  if (typeof x !== "object" || x === null || typeof y !== "object" || y === null) {
    hasCanonicalForm(x, path);
    hasCanonicalForm(y, path);
    // Finite numbers: one text per value (0 and -0 both "0", and equal under ===).
    return x === y;
  }
  for (const v of [x, y]) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null && proto !== Array.prototype)
      fail(path, "a non-plain object");
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      path.push(i);
      const same = sameCanonical(x[i], y[i], path);
      path.pop();
      if (!same) return false;
    }
    return true;
  }
  const a = x as Record<string, unknown>;
  const b = y as Record<string, unknown>;
  // The same member names (undefined ones left out, as the text leaves them out): as many in
  // each, and every one of a's in b. No sorted lists: the order of the text is not compared.
  if (definedCount(a) !== definedCount(b)) return false;
  for (const key of Object.keys(a)) {
    const item = a[key];
    if (item === undefined) continue;
    const other = b[key];
    if (other === undefined || !isEnumerable.call(b, key)) return false;
    path.push(key);
    const same = sameCanonical(item, other, path);
    path.pop();
    if (!same) return false;
  }
  return true;
}

const isEnumerable = Object.prototype.propertyIsEnumerable;

/** How many members an object's canonical text lists (undefined ones are left out). */
function definedCount(o: Record<string, unknown>): number {
  let n = 0;
  for (const key of Object.keys(o)) if (o[key] !== undefined) n++;
  return n;
}

/** Throws as `serialize` would on a value that is not an object and has no canonical form. */
function hasCanonicalForm(v: unknown, path: Path): void {
  if (v === null || typeof v === "boolean" || (typeof v === "object" && v !== null)) return;
  if (typeof v === "string") {
    if (!v.isWellFormed()) fail(path, "a string with a lone surrogate");
  } else if (typeof v !== "number") fail(path, `a value of type ${typeof v}`);
  else if (!Number.isFinite(v)) fail(path, String(v));
}

export type { CanonicalText };
