/**
 * `#[rtt::hook]` functions in Rust sources (issue 17, Rust), found by tree-sitter so that the
 * attribute in a comment, a doc comment or a string, or on something other than a function,
 * claims nothing. Each becomes a `hook` consumer (the function is what the hook calls, like the
 * quickstart's hook), named by `#[rtt::hook(name = "x")]` or else the function's own name.
 * Namespace: the top folder; the scanner puts a file under a crate in the crate's
 * (project-namespaces.ts).
 */
import { discoveredSaddr } from "./address.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { projectFolderOf } from "./project-folder.ts";
import { skippedSource, sourceText } from "./source-files.ts";
import { lineOf, type SyntaxNode, stringValue, withSyntaxTree } from "./tree-sitter.ts";

/** Parser-found attributes (ADR 0026). */
export const RUST_ATTRS_SCORE = 0.8;

/** The cheap signal: the attribute's path, anywhere in the text. */
const SIGNAL = "rtt::hook";
/** What may stand between an attribute and the item it belongs to. */
const BETWEEN = new Set(["attribute_item", "line_comment", "block_comment"]);
const FUNCTIONS = new Set(["function_item", "function_signature_item"]);

/** cargo's build output: generated and downloaded sources, not the project's. */
const BUILD_OUTPUT = new Set(["target"]);

type RustFact = { kind: "hook"; name: string; line: number; home: string };

/** `name = "x"` in the attribute's arguments, if there. */
function explicitName(args: SyntaxNode | null): string | undefined {
  const tokens = args?.children ?? [];
  for (let i = 0; i + 2 < tokens.length; i += 1) {
    const [key, eq, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (
      key?.type === "identifier" &&
      key.text === "name" &&
      eq?.text === "=" &&
      value?.type === "string_literal"
    ) {
      return stringValue(value, "string_content");
    }
  }
  return undefined;
}

/** The function an attribute item applies to: the next sibling that is not another attribute. */
function itemAfter(attribute: SyntaxNode): SyntaxNode | undefined {
  let next = attribute.nextNamedSibling;
  while (next !== null && BETWEEN.has(next.type)) next = next.nextNamedSibling;
  return next ?? undefined;
}

function hooksIn(root: SyntaxNode, home: string): RustFact[] {
  const found: RustFact[] = [];
  for (const item of root.descendantsOfType("attribute_item")) {
    const attribute = item?.namedChild(0);
    if (item === null || attribute?.type !== "attribute") continue;
    const path = attribute.namedChild(0)?.text.replace(/^::/, "").replaceAll(/\s+/g, "");
    if (path !== "rtt::hook") continue;
    const target = itemAfter(item);
    const fn =
      target !== undefined && FUNCTIONS.has(target.type)
        ? target.childForFieldName("name")?.text
        : undefined;
    if (fn === undefined) continue;
    const name = explicitName(attribute.childForFieldName("arguments")) ?? fn;
    found.push({ kind: "hook", name, line: lineOf(item), home });
  }
  return found;
}

export const rustAttrsIndexer: Indexer<RustFact> = {
  name: "rust-attrs",
  revision: 1,
  wanted: { extensions: [".rs"] },
  wants(entry: IndexEntry): boolean {
    // Names first: the folder check splits the path, and most files fail on the name.
    if (entry.kind !== "file" || !entry.name.endsWith(".rs")) return false;
    return !skippedSource(entry.rel, BUILD_OUTPUT);
  },
  async read(input: IndexInput): Promise<RustFact[]> {
    const text = sourceText(input);
    if (text === undefined || !text.includes(SIGNAL)) return [];
    const home = projectFolderOf(input.rel, input.abs);
    return withSyntaxTree("rust", text, (root) => hooksIn(root, home));
  },
  discover(files: readonly FileFacts<RustFact>[]): Discovery[] {
    return files.flatMap(({ rel, facts }) =>
      facts.map((fact) => ({
        contract: {
          saddr: discoveredSaddr({ namespace: fact.home, type: "hook", name: fact.name }),
          type: "hook" as const,
          direction: "consumer" as const,
        },
        score: RUST_ATTRS_SCORE,
        provenance: { indexer: "rust-attrs", file: rel, line: fact.line },
      })),
    );
  },
};
