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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fail(path: string, what: string): never {
  throw new RttError("RTT_ERR_CANON_VALUE", `${what} at ${path || "/"} has no canonical JSON form`);
}

function serializeString(s: string, path: string): string {
  if (LONE_SURROGATE.test(s)) fail(path, "a string with a lone surrogate");
  return JSON.stringify(s);
}

function serialize(value: unknown, path: string, out: string[]): void {
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
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      serialize(item, `${path}/${i}`, out);
    });
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
    serialize(item, `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, out);
  }
  out.push("}");
}

/** The RFC 8785 canonical text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  serialize(value, "", out);
  return out.join("");
}

/** Lowercase hex SHA-256 of the canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value), "utf8").digest("hex");
}
