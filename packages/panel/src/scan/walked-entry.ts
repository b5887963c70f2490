/**
 * The walk's view of one folder entry as indexers see it (walk.ts): one object reused for every
 * file, its paths joined only when an indexer asks for them.
 */
import { sep } from "node:path";
import type { IndexEntry } from "./indexers/indexer.ts";

/** An IndexEntry whose paths are joined on first use; reset for the next file. */
export class WalkedEntry implements IndexEntry {
  #parentRel = "";
  #parentAbs = "";
  name = "";
  kind: IndexEntry["kind"] = "file";
  #rel: string | undefined;

  reset(
    parent: { readonly rel: string; readonly abs: string },
    name: string,
    kind: IndexEntry["kind"],
  ): this {
    this.#parentRel = parent.rel;
    this.#parentAbs = parent.abs;
    this.name = name;
    this.kind = kind;
    this.#rel = undefined;
    return this;
  }

  get rel(): string {
    this.#rel ??= joinRel(this.#parentRel, this.name);
    return this.#rel;
  }

  get abs(): string {
    return this.#parentAbs + sep + this.name;
  }
}

/** A path relative to the scan root, "/"-separated, from its folder's and its name. */
export function joinRel(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
}
