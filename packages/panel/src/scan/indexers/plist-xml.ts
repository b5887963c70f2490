/**
 * The XML property-list format (Apple's plist DTD), for launchd jobs: `dict`, `array`, `key`,
 * `string`, `integer`, `real`, `true`, `false`, `date` and `data`. Written here rather than
 * through an XML library so that nothing is expanded: the five predefined entities and numeric
 * character references are decoded, any other entity, a DOCTYPE with an internal subset, CDATA
 * and mixed content make the file unreadable (undefined). Nesting is bounded. The line of each
 * key of the top dict is kept, for a claim's provenance.
 */

export type PlistValue = string | number | boolean | PlistValue[] | PlistDict;
export type PlistDict = Map<string, PlistValue>;

export interface ParsedPlist {
  readonly root: PlistValue;
  /** The line (1-based) of each key of the root dict. */
  readonly keyLines: ReadonlyMap<string, number>;
}

const MAX_DEPTH = 32;
const TAG = /<([A-Za-z]+)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;
const ENTITY = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]+);/g;
const NAMED: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};
/** End tags by name (names come from TAG: letters only), made once. */
const CLOSING = new Map<string, RegExp>();
const LEAF = new Set(["key", "string", "integer", "real", "date", "data"]);

class Failure extends Error {}

/** `text` with its references decoded; Failure on an unknown entity or a stray `&`. */
function decode(text: string): string {
  if (text.replace(ENTITY, "").includes("&")) throw new Failure();
  return text.replace(ENTITY, (_, name: string) => {
    if (name.startsWith("#")) {
      const code = name[1] === "x" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) throw new Failure();
      return String.fromCodePoint(code);
    }
    const named = NAMED[name];
    if (named === undefined) throw new Failure();
    return named;
  });
}

class Parser {
  i = 0;
  /** `line` is the line of the character at `counted`. */
  line = 1;
  counted = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  /** The line of `pos`; positions asked for only grow, so each character is counted once. */
  lineAt(pos: number): number {
    for (; this.counted < pos; this.counted++) {
      if (this.text.charCodeAt(this.counted) === 0x0a) this.line++;
    }
    return this.line;
  }

  /** Skips blanks, comments, the XML declaration and a DOCTYPE without an internal subset. */
  skipMisc(): void {
    for (;;) {
      while (/\s/.test(this.text[this.i] ?? "")) this.i++;
      if (this.text.startsWith("<?", this.i)) this.skipTo("?>");
      else if (this.text.startsWith("<!--", this.i)) this.skipTo("-->");
      else if (this.text.startsWith("<!DOCTYPE", this.i)) {
        const end = this.text.indexOf(">", this.i);
        if (end < 0 || this.text.slice(this.i, end).includes("[")) throw new Failure();
        this.i = end + 1;
      } else return;
    }
  }

  skipTo(end: string): void {
    const at = this.text.indexOf(end, this.i);
    if (at < 0) throw new Failure();
    this.i = at + end.length;
  }

  /** The next start tag: its name and whether it closes itself. */
  openTag(): { name: string; empty: boolean; at: number } {
    this.skipMisc();
    TAG.lastIndex = this.i;
    const m = TAG.exec(this.text);
    if (m === null) throw new Failure();
    const at = this.i;
    this.i = TAG.lastIndex;
    return { name: m[1] as string, empty: m[3] === "/", at };
  }

  /** Whether `</name>` is next (consumed if so). */
  closes(name: string): boolean {
    this.skipMisc();
    let close = CLOSING.get(name);
    if (close === undefined) {
      close = new RegExp(`</${name}\\s*>`, "y");
      CLOSING.set(name, close);
    }
    close.lastIndex = this.i;
    if (!close.test(this.text)) return false;
    this.i = close.lastIndex;
    return true;
  }

  leafText(name: string): string {
    const end = this.text.indexOf("<", this.i);
    if (end < 0) throw new Failure();
    const raw = this.text.slice(this.i, end);
    this.i = end;
    if (!this.closes(name)) throw new Failure();
    return decode(raw);
  }

  value(depth: number, keyLines?: Map<string, number>): PlistValue {
    if (depth > MAX_DEPTH) throw new Failure();
    const { name, empty } = this.openTag();
    if (name === "true" || name === "false") {
      if (!empty && !this.closes(name)) throw new Failure();
      return name === "true";
    }
    if (LEAF.has(name) && name !== "key") {
      const text = empty ? "" : this.leafText(name);
      if (name !== "integer" && name !== "real") return text;
      const n = Number(text.trim());
      if (text.trim() === "" || !Number.isFinite(n)) throw new Failure();
      return n;
    }
    if (name === "array") {
      const items: PlistValue[] = [];
      if (!empty) while (!this.closes("array")) items.push(this.value(depth + 1));
      return items;
    }
    if (name === "dict") {
      const dict: PlistDict = new Map();
      if (!empty) {
        while (!this.closes("dict")) {
          const key = this.openTag();
          if (key.name !== "key") throw new Failure();
          const text = key.empty ? "" : this.leafText("key");
          keyLines?.set(text, this.lineAt(key.at));
          dict.set(text, this.value(depth + 1));
        }
      }
      return dict;
    }
    throw new Failure();
  }
}

/** The plist in `text`, or undefined when it is not one this reader accepts. */
export function parsePlistXml(text: string): ParsedPlist | undefined {
  const p = new Parser(text);
  try {
    const top = p.openTag();
    if (top.name !== "plist" || top.empty) return undefined;
    const keyLines = new Map<string, number>();
    const root = p.value(1, keyLines);
    if (!p.closes("plist")) return undefined;
    p.skipMisc();
    return p.i === text.length ? { root, keyLines } : undefined;
  } catch (error) {
    if (error instanceof Failure) return undefined;
    throw error;
  }
}
