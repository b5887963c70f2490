/**
 * Every indexer the scanner runs, in no particular order: the catalog does not depend on it
 * (claims are merged by rules, ADR 0026). Add one by importing it here.
 */
import { cCompile } from "./c-compile.ts";
import { elfExports } from "./elf-exports.ts";
import { go } from "./go.ts";
import type { Indexer } from "./indexer.ts";
import { nodePackage } from "./node-package.ts";
import { pythonPackaging } from "./python-packaging.ts";
import { rustCargo } from "./rust-cargo.ts";

export const INDEXERS: readonly Indexer[] = [
  cCompile,
  elfExports,
  go,
  nodePackage,
  pythonPackaging,
  rustCargo,
];
