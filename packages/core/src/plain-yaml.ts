/**
 * The value of a YAML text written in a small, plain subset — nested block mappings, sequences of
 * scalars, one-line flow sequences and mappings of scalars, whole-line comments — without the `yaml`
 * package, whose loading was most of what reading a short panel.yaml cost a cold `rtt scan`.
 * Anything outside the subset, or anything the YAML core schema might read otherwise (a number
 * in another notation, `Null`, `~`, `yes`), is declined (undefined) and left to the full parser
 * (source-document.ts), which also gives the positions when a check needs one.
 */

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

interface Line {
  readonly indent: number;
  readonly content: string;
}

/** Declines the text: thrown inside, caught once at the top. */
class Declined extends Error {}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A plain scalar: no indicator first, nothing a comment, mapping or flow could take. */
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./*-]*$/;
/** Quoted text with nothing to unescape or to end a flow sequence early. */
const QUOTED = /^(?:"[^"\\,[\]{}]*"|'[^',[\]{}]*')$/;
/** A decimal the core schema reads the same as Number does. */
const INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Plain scalars the core schema may read as a number, null or boolean in some spelling. */
const TYPED = /^(?:[-+]?\.?[0-9]|\.(?:inf|nan)$|(?:null|true|false|yes|no|on|off|y|n)$)/i;

function scalar(text: string): Plain {
  if (QUOTED.test(text)) return text.slice(1, -1);
  if (!PLAIN.test(text)) throw new Declined();
  if (text === "true" || text === "false") return text === "true";
  if (INTEGER.test(text)) return Number(text);
  if (TYPED.test(text)) throw new Declined();
  return text;
}

/** `key` as a mapping's next key: declined when odd or already in `map`. */
function keyFor(key: string, map: Readonly<Record<string, Plain>>): string {
  // A key the core schema reads as another type (`null:`, `true:`) is declined like a value.
  if (!KEY.test(key) || TYPED.test(key) || key === "__proto__" || Object.hasOwn(map, key))
    throw new Declined();
  return key;
}

/** The items of a one-line flow collection (`[a, b]`, `{a: 1}`), between its brackets. */
function flowItems(text: string): string[] {
  const inner = text.slice(1, -1).trim();
  return inner === "" ? [] : inner.split(",").map((item) => item.trim());
}

function flowMapping(text: string): { [key: string]: Plain } {
  const map: { [key: string]: Plain } = {};
  for (const item of flowItems(text)) {
    const colon = item.indexOf(": ");
    if (colon < 0) throw new Declined();
    map[keyFor(item.slice(0, colon), map)] = scalar(item.slice(colon + 2).trim());
  }
  return map;
}

/** A value after `key: ` or `- `: a one-line flow sequence or mapping of scalars, or a scalar. */
function inlineValue(text: string): Plain {
  if (text.startsWith("[") && text.endsWith("]")) return flowItems(text).map(scalar);
  if (text.startsWith("{") && text.endsWith("}")) return flowMapping(text);
  return scalar(text);
}

class BlockReader {
  #at = 0;
  readonly #lines: readonly Line[];

  constructor(lines: readonly Line[]) {
    this.#lines = lines;
  }

  /** The mapping at the top, and nothing after it. */
  document(): Plain {
    const first = this.#lines[0];
    if (first === undefined) return {};
    if (first.indent !== 0) throw new Declined();
    const value = this.#block(0);
    if (this.#at < this.#lines.length) throw new Declined();
    return value;
  }

  /** The block whose lines sit at `indent`, from the current line on. */
  #block(indent: number): Plain {
    const first = this.#lines[this.#at] as Line;
    return first.content.startsWith("- ") ? this.#sequence(indent) : this.#mapping(indent);
  }

  #sequence(indent: number): Plain[] {
    const items: Plain[] = [];
    for (let line = this.#peek(indent); line !== undefined; line = this.#peek(indent)) {
      if (!line.content.startsWith("- ")) throw new Declined();
      items.push(inlineValue(line.content.slice(2)));
      this.#at++;
    }
    return items;
  }

  #mapping(indent: number): { [key: string]: Plain } {
    const map: { [key: string]: Plain } = {};
    for (let line = this.#peek(indent); line !== undefined; line = this.#peek(indent)) {
      const colon = line.content.indexOf(":");
      if (colon < 0) throw new Declined();
      const key = keyFor(line.content.slice(0, colon), map);
      const rest = line.content.slice(colon + 1);
      this.#at++;
      if (rest === "") {
        const next = this.#lines[this.#at];
        map[key] = next !== undefined && next.indent > indent ? this.#block(next.indent) : null;
      } else if (rest.startsWith(" ")) map[key] = inlineValue(rest.slice(1));
      else throw new Declined();
    }
    return map;
  }

  /** The current line if it belongs to the block at `indent`; undefined when the block ends. */
  #peek(indent: number): Line | undefined {
    const line = this.#lines[this.#at];
    if (line === undefined || line.indent < indent) return undefined;
    if (line.indent > indent) throw new Declined(); // indented under a line that opens nothing
    return line;
  }
}

/** The value of `text` when it is plain YAML (see above), else undefined. */
export function plainYamlValue(text: string): unknown {
  // Printable ASCII and line feeds only: no tabs, carriage returns or other characters to weigh.
  if (/[^\x20-\x7e\n]/.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    const content = raw.trimStart();
    if (content === "" || content.startsWith("#")) continue;
    if (content.endsWith(" ")) return undefined;
    lines.push({ indent: raw.length - content.length, content });
  }
  try {
    return new BlockReader(lines).document();
  } catch (error) {
    if (error instanceof Declined) return undefined;
    throw error;
  }
}
