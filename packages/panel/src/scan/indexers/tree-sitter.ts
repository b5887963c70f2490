/**
 * Source parsing for the language indexers (issue 17): tree-sitter through `web-tree-sitter`
 * (WASM, so no native build) and the grammars' own `.wasm` files as their npm packages ship
 * them. Nothing is fetched at run time: every grammar resolves from node_modules.
 *
 * The runtime and each grammar load lazily, once per process, on the first file that needs
 * them: a scan with no candidate source files never imports the runtime. Trees live in WASM
 * memory, which no garbage collector frees, so a tree is only ever lent to a callback and
 * deleted when it returns.
 */
import { createRequire } from "node:module";
import { RttError } from "@rtt/core";
import type { Language, Node, Parser } from "web-tree-sitter";

export type { Node as SyntaxNode } from "web-tree-sitter";

/** The grammar packages (exact versions in package.json) and the `.wasm` each ships. */
const GRAMMARS = {
  python: "tree-sitter-python/tree-sitter-python.wasm",
  javascript: "tree-sitter-javascript/tree-sitter-javascript.wasm",
  typescript: "tree-sitter-typescript/tree-sitter-typescript.wasm",
  tsx: "tree-sitter-typescript/tree-sitter-tsx.wasm",
  rust: "tree-sitter-rust/tree-sitter-rust.wasm",
} as const;

export type GrammarName = keyof typeof GRAMMARS;

const require = createRequire(import.meta.url);

let runtime: Promise<typeof import("web-tree-sitter")> | undefined;
const parsers = new Map<GrammarName, Promise<Parser>>();

function loadRuntime(): Promise<typeof import("web-tree-sitter")> {
  runtime ??= (async () => {
    const module = await import("web-tree-sitter");
    await module.Parser.init();
    return module;
  })();
  return runtime;
}

async function loadParser(name: GrammarName): Promise<Parser> {
  try {
    const { Language, Parser } = await loadRuntime();
    const language: Language = await Language.load(require.resolve(GRAMMARS[name]));
    return new Parser().setLanguage(language);
  } catch (error) {
    throw new RttError("RTT_ERR_INTERNAL", `cannot load the tree-sitter ${name} grammar`, {
      hint: `reinstall dependencies (npm ci): ${GRAMMARS[name]} ships the grammar`,
      cause: error,
    });
  }
}

/** The parser for `name`, loading the runtime and the grammar on first use. */
function parserFor(name: GrammarName): Promise<Parser> {
  let parser = parsers.get(name);
  if (parser === undefined) {
    parser = loadParser(name);
    // A failed load is not cached: the next file retries (and reports it again).
    parser.catch(() => parsers.delete(name));
    parsers.set(name, parser);
  }
  return parser;
}

/**
 * Parses `text` with grammar `name` and lends the root node to `use`; the tree is freed when
 * `use` returns, so nothing `use` returns may hold a node. tree-sitter recovers from syntax
 * errors: the parts that parse are still walked.
 */
export async function withSyntaxTree<T>(
  name: GrammarName,
  text: string,
  use: (root: Node) => T,
): Promise<T> {
  const parser = await parserFor(name);
  // parse is synchronous, so no other file's parse can interleave with this one.
  const tree = parser.parse(text);
  if (tree === null) {
    throw new RttError("RTT_ERR_INTERNAL", `tree-sitter ${name} returned no tree`);
  }
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}

/** 1-based line of `node` (tree-sitter rows are 0-based). */
export function lineOf(node: Node): number {
  return node.startPosition.row + 1;
}

/**
 * The value of a string literal node whose content is plain, else undefined: an interpolation
 * makes it unknown, and so does an escape (decoding it per language is not worth it for the
 * route paths and names this reads, which never hold one).
 */
export function stringValue(
  node: Node | null | undefined,
  contentType: string,
): string | undefined {
  if (node === null || node === undefined) return undefined;
  let value = "";
  for (const child of node.namedChildren) {
    if (child.type === contentType && child.namedChildCount === 0) value += child.text;
    else if (!/^string_(start|end)$/.test(child.type)) return undefined;
  }
  return value;
}
