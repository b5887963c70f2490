/**
 * Which indexers to ask about a walked entry, from its name alone (Indexer.wanted): one test of
 * a pattern made from every declaration, then for the few names it passes a map lookup by name
 * and one by extension, instead of every indexer's `wants`. A scan of a large tree meets mostly
 * files no indexer reads: each costs one native pattern test, and no extension is sliced out.
 */
import type { ListedNames } from "@rtt/fabric/folder-lister.ts";
import type { IndexEntry, Indexer, WantedNames } from "./indexers/indexer.ts";

export interface WantsLookup {
  /** The indexers that may want an entry of this name and kind; empty: none does. */
  askFor(name: string, kind: IndexEntry["kind"]): readonly Indexer[];
}

const NONE: readonly Indexer[] = [];

function add(map: Map<string, Indexer[]>, key: string, indexer: Indexer): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [indexer]);
  else if (!list.includes(indexer)) list.push(indexer);
}

function either(a: Indexer[] | undefined, b: Indexer[] | undefined): Indexer[] | undefined {
  return a === undefined ? b : b === undefined ? a : [...a, ...b];
}

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A pattern that every name some declaration covers passes (as the maps below read them), and
 * a few others (`x.d.ts` passes an extension `.d.ts`, which no last dot gives): those are then
 * looked up and found in no map. It must never reject a covered name; wants-lookup's tests hold
 * it to the maps.
 */
function declaredPattern(wanted: readonly WantedNames[]): RegExp {
  // Each text once: several indexers declare the same ones (`.py`, `package.json`).
  const names = [...new Set(wanted.flatMap((w) => w.names ?? []))];
  const extensions = [...new Set(wanted.flatMap((w) => w.extensions ?? []))];
  const containing = [...new Set(wanted.flatMap((w) => w.containing ?? []))];
  const dotted = extensions.filter((e) => e !== "");
  const alternatives = [
    ...(names.length === 0 ? [] : [`^(?:${names.map(literal).join("|")})$`]),
    ...(dotted.length === 0 ? [] : [`(?:${dotted.map(literal).join("|")})$`]),
    // No extension: no dot, or a dot file's only one (`.profile` is offered under "" too).
    ...(extensions.includes("") ? ["^\\.?[^.]*$"] : []),
    ...containing.map(literal),
  ];
  return alternatives.length === 0 ? /(?!)/ : new RegExp(alternatives.join("|"));
}

/**
 * Every file name some indexer may want, as the folder lister reads declarations: it names these
 * and only counts the rest, so it must pass each name `askFor` may answer with an indexer.
 */
export function declaredNames(indexers: readonly Indexer[]): ListedNames {
  const wanted = indexers.flatMap((i) => (i.wanted === undefined ? [] : [i.wanted]));
  const extensions = [...new Set(wanted.flatMap((w) => w.extensions ?? []))];
  return {
    all: wanted.length < indexers.length,
    names: [...new Set(wanted.flatMap((w) => w.names ?? []))],
    suffixes: extensions.filter((e) => e !== ""),
    containing: [...new Set(wanted.flatMap((w) => w.containing ?? []))],
    noExtension: extensions.includes(""),
  };
}

export function wantsLookup(indexers: readonly Indexer[]): WantsLookup {
  const byName = new Map<string, Indexer[]>();
  const byExtension = new Map<string, Indexer[]>();
  const containing: { readonly text: string; readonly indexer: Indexer }[] = [];
  const always: Indexer[] = [];
  for (const indexer of indexers) {
    const wanted = indexer.wanted;
    if (wanted === undefined) {
      always.push(indexer);
      continue;
    }
    for (const name of wanted.names ?? []) add(byName, name, indexer);
    for (const ext of wanted.extensions ?? []) add(byExtension, ext, indexer);
    for (const text of wanted.containing ?? []) containing.push({ text, indexer });
  }
  const declared = declaredPattern(
    indexers.flatMap((i) => (i.wanted === undefined ? [] : [i.wanted])),
  );
  return {
    askFor(name, kind) {
      if (kind !== "file") return indexers;
      if (!declared.test(name)) return always.length === 0 ? NONE : always;
      const named = byName.get(name);
      const dot = name.lastIndexOf(".");
      // A dot file (`.profile`) has no extension to some indexers and is its own to others.
      const extended =
        dot < 0
          ? byExtension.get("")
          : dot > 0
            ? byExtension.get(name.slice(dot))
            : either(byExtension.get(name), byExtension.get(""));
      let asked: Indexer[] | undefined;
      for (const { text, indexer } of containing) {
        if (!name.includes(text)) continue;
        asked ??= [];
        asked.push(indexer);
      }
      if (named === undefined && extended === undefined && asked === undefined)
        return always.length === 0 ? NONE : always;
      // Rare (a file some indexer may read): merge, each indexer once, in registry order.
      const picked = new Set([...(named ?? []), ...(extended ?? []), ...(asked ?? []), ...always]);
      return indexers.filter((i) => picked.has(i));
    },
  };
}
