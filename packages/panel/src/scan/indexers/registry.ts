/**
 * Every indexer the scanner runs, in no particular order: the catalog does not depend on it
 * (claims are merged by rules, ADR 0026). Add one by importing it here.
 */
import type { Indexer } from "./indexer.ts";
import { jsRoutesIndexer } from "./js-routes.ts";
import { pythonSourceIndexer } from "./python-source.ts";
import { rustAttrsIndexer } from "./rust-attrs.ts";

export const INDEXERS: readonly Indexer[] = [
  pythonSourceIndexer,
  jsRoutesIndexer,
  rustAttrsIndexer,
] as readonly Indexer[];
