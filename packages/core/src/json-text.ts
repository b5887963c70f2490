/**
 * Reading a JSON text without a syntax tree. Most documents RTT reads are valid, and for those
 * `JSON.parse` (native) gives the value several times faster than a tree with positions;
 * positions are then found in the text itself, only when one is asked for (a diagnostic, or
 * where a manifest's address sits). source-document.ts falls back to the tree for any text these
 * do not vouch for, so every syntax error is still reported the one way.
 */

/**
 * Where `text` first nests deeper than `maxDepth` arrays and objects (the offset of that `[` or
 * `{`), strings skipped; undefined when it does not. One character at a time, for any text.
 */
export function tooDeepAt(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--; // a stray closer lowers nothing
  }
  return undefined;
}

/** Every string in a valid text, whole. */
const STRINGS = /"[^"\\]*(?:\\.[^"\\]*)*"/g;

function occurrences(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * In a text JSON.parse accepted: its object members (one `:` each, repeated keys included) and
 * its opening brackets (at least its depth), counted outside strings.
 */
export function tokenCounts(text: string): { readonly members: number; readonly opens: number } {
  const bare = text.replace(STRINGS, "");
  return {
    members: occurrences(bare, ":"),
    opens: occurrences(bare, "[") + occurrences(bare, "{"),
  };
}

/**
 * The object members in a parsed value. Equal to its text's (tokenCounts) exactly when no object
 * in it repeats a key (`JSON.parse` keeps the last copy silently; RTT refuses such a text).
 */
export function memberCount(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += memberCount(item);
    return count;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) count += 1 + memberCount(record[key]);
  return count;
}

// Sticky patterns over a text JSON.parse accepted, so that a position is found by native
// regular expressions: a character loop in JavaScript runs unoptimised in a short process.
const SPACE = /[ \t\n\r]*/y;
const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/y;
const SCALAR = /[^,\]} \t\n\r]*/y;
/** A string, or a bracket: what matters inside a container being skipped. */
const NESTING = /"[^"\\]*(?:\\.[^"\\]*)*"|[[\]{}]/g;

/** The offset where `pattern` stops matching from `i` (it matches the empty string too). */
function past(pattern: RegExp, text: string, i: number): number {
  pattern.lastIndex = i;
  pattern.test(text);
  return pattern.lastIndex;
}

function skipSpace(text: string, i: number): number {
  return past(SPACE, text, i);
}

/** The offset just past the value that starts at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return past(STRING, text, i);
  if (c !== 0x5b && c !== 0x7b) return past(SCALAR, text, i);
  let depth = 0;
  NESTING.lastIndex = i;
  for (let m = NESTING.exec(text); m !== null; m = NESTING.exec(text)) {
    const token = m[0];
    if (token === "[" || token === "{") depth++;
    else if ((token === "]" || token === "}") && --depth === 0) return NESTING.lastIndex;
  }
  return text.length;
}

/** Where a child sits: its value, and the key that names it (an object member's) or undefined. */
interface Child {
  readonly value: number;
  readonly key: number | undefined;
}

/** The member `name` of the object that opens at `at`. */
function memberOf(text: string, at: number, name: string): Child | undefined {
  let i = skipSpace(text, at + 1);
  while (text.charCodeAt(i) === 0x22) {
    const key = i;
    const end = past(STRING, text, i);
    const raw = text.slice(key + 1, end - 1);
    const decoded = raw.includes("\\") ? (JSON.parse(text.slice(key, end)) as string) : raw;
    const value = skipSpace(text, skipSpace(text, end) + 1); // past the colon
    if (decoded === name) return { value, key };
    i = skipSpace(text, skipValue(text, value));
    if (text.charCodeAt(i) !== 0x2c) return undefined; // the closing brace
    i = skipSpace(text, i + 1);
  }
  return undefined;
}

/** Element `index` of the array that opens at `at`, with the offset of its first element. */
function elementOf(text: string, at: number, index: number): Child | undefined {
  let i = skipSpace(text, at + 1);
  const first = i;
  if (text.charCodeAt(i) === 0x5d) return undefined;
  for (let n = 0; ; n++) {
    if (n === index) return { value: i, key: first };
    i = skipSpace(text, skipValue(text, i));
    if (text.charCodeAt(i) !== 0x2c) return undefined; // the closing bracket
    i = skipSpace(text, i + 1);
  }
}

/**
 * In a text `JSON.parse` accepted with no repeated key: the offset where the value at `path`
 * starts, or with `part: "key"` its key. A path that does not exist gives its nearest existing
 * ancestor's value. As the syntax tree answers (source-document.ts), quirk included: the "key"
 * of an array element is the array's first element.
 */
export function offsetInJson(
  text: string,
  path: readonly (string | number)[],
  part: "value" | "key",
): number {
  let at = skipSpace(text, 0);
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth] as string | number;
    const opener = text.charCodeAt(at);
    const child =
      typeof segment === "string"
        ? opener === 0x7b
          ? memberOf(text, at, segment)
          : undefined
        : opener === 0x5b && Number.isInteger(segment) && segment >= 0
          ? elementOf(text, at, segment)
          : undefined;
    if (child === undefined) return at;
    if (depth === path.length - 1 && part === "key" && child.key !== undefined) return child.key;
    at = child.value;
  }
  return at;
}
