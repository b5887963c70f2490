/**
 * JSON and YAML texts parsed with their source positions kept, so that any later complaint
 * about a value (a schema violation, a bad address) can name the line and column it came
 * from. Both formats answer the same question: where is the value (or the key) at this path?
 */
import { createRequire } from "node:module";
import type { Node as JsonNode, ParseError } from "jsonc-parser";
import type { Alias, Node as YamlNode } from "yaml";
import { RttError } from "./errors.ts";
import { memberCount, offsetInJson, tokenCounts, tooDeepAt } from "./json-text.ts";
import { plainYamlValue } from "./plain-yaml.ts";

// The parsers are loaded on first use (both ship CommonJS builds): together they are a
// third of the CLI's start-up, and a warm `rtt scan` parses no file at all.
const requireLazily = createRequire(import.meta.url);
let jsoncModule: typeof import("jsonc-parser") | undefined;
let yamlModule: typeof import("yaml") | undefined;
const jsonc = () =>
  (jsoncModule ??= requireLazily("jsonc-parser") as typeof import("jsonc-parser"));
const yaml = () => (yamlModule ??= requireLazily("yaml") as typeof import("yaml"));

export type JsonPath = readonly (string | number)[];

export interface Location {
  readonly line: number;
  readonly column: number;
}

export interface SourceDocument {
  readonly file: string;
  readonly value: unknown;
  /**
   * Where the value at `path` starts (or its key, for `part: "key"`). A path that does not
   * exist resolves to its nearest existing ancestor, which is where a missing field belongs.
   */
  locate(path: JsonPath, part?: "value" | "key"): Location;
}

/** Maps UTF-16 offsets to 1-based line and column; built once per text. */
export class LineIndex {
  readonly #starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.#starts.push(i + 1);
    }
  }
  locate(offset: number): Location {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#starts[lo] as number) + 1 };
  }
}

const JSON_ERROR_WORDS: Record<string, string> = {
  InvalidSymbol: "an unexpected character",
  InvalidNumberFormat: "a malformed number",
  PropertyNameExpected: "a property name in double quotes",
  ValueExpected: "a value",
  ColonExpected: "':'",
  CommaExpected: "',' or a closing bracket",
  CloseBraceExpected: "'}'",
  CloseBracketExpected: "']'",
  EndOfFileExpected: "the end of the file",
  InvalidCommentToken: "no comments (JSON has none)",
  UnexpectedEndOfComment: "the end of the comment",
  UnexpectedEndOfString: "a closing '\"'",
  UnexpectedEndOfNumber: "more digits",
  InvalidUnicode: "a valid \\u escape",
  InvalidEscapeCharacter: "a valid escape",
  InvalidCharacter: "no control characters in strings",
};

/** Deeper than this, a document is refused before parsing (the parser recurses per level). */
export const MAX_JSON_DEPTH = 256;

/**
 * Parses a JSON text, keeping where each value sits. A text `JSON.parse` accepts with no repeated
 * key (most of them) is parsed natively and positions are found in the text when asked for
 * (json-text.ts); any other text is parsed into a syntax tree, which names the first problem.
 */
export function parseJsonDocument(text: string, file: string): SourceDocument {
  return parsedNatively(text, file) || parsedAsTree(text, file);
}

/** The document of a valid text with no repeated key, or false for the syntax tree to judge. */
function parsedNatively(text: string, file: string): SourceDocument | false {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  const counted = tokenCounts(text);
  // Only a text with this many brackets can nest too deep (the tree path says where it does).
  if (counted.opens > MAX_JSON_DEPTH && tooDeepAt(text, MAX_JSON_DEPTH) !== undefined) return false;
  if (memberCount(value) !== counted.members) return false;
  let lines: LineIndex | undefined;
  return {
    file,
    value,
    locate(path, part = "value") {
      lines ??= new LineIndex(text);
      return lines.locate(offsetInJson(text, path, part));
    },
  };
}

/**
 * The document a syntax tree gives, or the text's first problem (an RttError at its line and
 * column): parseJsonDocument's answer for every text the native path declines. Exported so a
 * test can hold the two paths to the same answers.
 */
export function parsedAsTree(text: string, file: string): SourceDocument {
  const lines = new LineIndex(text);
  const deep = tooDeepAt(text, MAX_JSON_DEPTH);
  if (deep !== undefined)
    throw new RttError(
      "RTT_ERR_DOC_SYNTAX",
      `nested deeper than ${MAX_JSON_DEPTH} arrays and objects`,
      { position: { file, ...lines.locate(deep) } },
    );
  const errors: ParseError[] = [];
  const root = jsonc().parseTree(text, errors, {
    allowTrailingComma: false,
    disallowComments: true,
  });
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const offset = first?.offset ?? 0;
    const code = first === undefined ? "ValueExpected" : jsonc().printParseErrorCode(first.error);
    const where = lines.locate(offset);
    throw new RttError(
      "RTT_ERR_DOC_SYNTAX",
      `not valid JSON: expected ${JSON_ERROR_WORDS[code] ?? code}`,
      { position: { file, ...where } },
    );
  }
  const duplicate = findDuplicateKey(root);
  if (duplicate !== undefined) {
    const where = lines.locate(duplicate.offset);
    throw new RttError("RTT_ERR_DOC_SYNTAX", `duplicate key ${JSON.stringify(duplicate.value)}`, {
      position: { file, ...where },
      hint: "JSON readers disagree on which copy wins; keep one",
    });
  }
  return {
    file,
    value: jsonNodeValue(root),
    locate(path, part = "value") {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = jsonc().findNodeAtLocation(root, path.slice(0, depth) as (string | number)[]);
        if (node === undefined) continue;
        const keyNode =
          depth === path.length && part === "key" ? node.parent?.children?.[0] : undefined;
        return lines.locate((keyNode ?? node).offset);
      }
      return lines.locate(root.offset);
    },
  };
}

function findDuplicateKey(node: JsonNode): JsonNode | undefined {
  if (node.type === "object") {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const key = prop.children?.[0];
      if (key === undefined) continue;
      if (seen.has(key.value as string)) return key;
      seen.add(key.value as string);
    }
  }
  for (const child of node.children ?? []) {
    const found = findDuplicateKey(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

// jsonc-parser's getNodeValue builds objects with a prototype and lets "__proto__" through;
// build plain data ourselves so a hostile key cannot reach Object.prototype.
function jsonNodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case "object": {
      const out: Record<string, unknown> = Object.create(null);
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (key === undefined || value === undefined) continue;
        Object.defineProperty(out, key.value as string, {
          value: jsonNodeValue(value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return Object.setPrototypeOf(out, Object.prototype);
    }
    case "array":
      return (node.children ?? []).map(jsonNodeValue);
    default:
      return node.value;
  }
}

/**
 * Parses a YAML text, keeping where each value sits. Plain YAML (plain-yaml.ts; a panel.yaml
 * usually is) is read without the `yaml` package, which is loaded, and the text parsed again with
 * positions, only when a position is asked for.
 */
export function parseYamlDocument(text: string, file: string): SourceDocument {
  const value = plainYamlValue(text);
  if (value === undefined) return parsedYamlTree(text, file);
  let tree: SourceDocument | undefined;
  return {
    file,
    value,
    locate(path, part) {
      tree ??= parsedYamlTree(text, file);
      return tree.locate(path, part);
    },
  };
}

/**
 * The document the `yaml` package's syntax tree gives, or the text's first problem (an RttError
 * at its line and column). Exported so a test can hold the plain reader to its answers.
 */
export function parsedYamlTree(text: string, file: string): SourceDocument {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const where = lineCounter.linePos(first.pos[0]);
    const location = { line: where.line, column: where.col };
    throw new RttError("RTT_ERR_DOC_SYNTAX", `not valid YAML: ${first.message.split("\n")[0]}`, {
      position: { file, ...location },
    });
  }
  const at = (offset: number): Location => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  let value: unknown;
  try {
    value = doc.toJS() ?? {};
  } catch (error) {
    // yaml finds an alias to an unknown anchor (`*a`), or an alias bomb, only while building
    // values, and throws a plain ReferenceError: report it like any other YAML error, at the
    // first alias that does not resolve (else the first alias).
    if (!(error instanceof ReferenceError)) throw error;
    const aliases: Alias[] = [];
    yaml().visit(doc, {
      Alias: (_key, node) => {
        aliases.push(node);
      },
    });
    const bad = aliases.find((a) => a.resolve(doc) === undefined) ?? aliases[0];
    throw new RttError("RTT_ERR_DOC_SYNTAX", `not valid YAML: ${error.message}`, {
      position: { file, ...at(bad?.range?.[0] ?? 0) },
    });
  }
  return {
    file,
    value,
    locate(path, part = "value") {
      for (let depth = path.length; depth >= 0; depth--) {
        const sub = path.slice(0, depth);
        const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as YamlNode | null;
        if (node === null || node === undefined || !("range" in node) || node.range == null)
          continue;
        if (depth === path.length && part === "key" && depth > 0) {
          const key = yamlKeyNode(doc.getIn(sub.slice(0, -1), true), sub[sub.length - 1]);
          if (key?.range != null) return at(key.range[0]);
        }
        return at(node.range[0]);
      }
      return { line: 1, column: 1 };
    },
  };
}

function yamlKeyNode(parent: unknown, key: string | number | undefined): YamlNode | undefined {
  if (!yaml().isMap(parent)) return undefined;
  for (const pair of parent.items) {
    if (yaml().isPair(pair) && yaml().isScalar(pair.key) && pair.key.value === key) return pair.key;
  }
  return undefined;
}
