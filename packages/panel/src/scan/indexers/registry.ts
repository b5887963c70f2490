/**
 * Every indexer the scanner runs, in no particular order: the catalog does not depend on it
 * (claims are merged by rules, ADR 0026). Add one by importing it here.
 */
import { cCompile } from "./c-compile.ts";
import { elfExports } from "./elf-exports.ts";
import { go } from "./go.ts";
import type { Indexer } from "./indexer.ts";
import { ipcIndexer } from "./ipc.ts";
import { jsRoutesIndexer } from "./js-routes.ts";
import { launchdIndexer } from "./launchd.ts";
import { nodePackage } from "./node-package.ts";
import { projectIndexer } from "./project-identity.ts";
import { pythonPackaging } from "./python-packaging.ts";
import { pythonSourceIndexer } from "./python-source.ts";
import { rustAttrsIndexer } from "./rust-attrs.ts";
import { rustCargo } from "./rust-cargo.ts";
import { shebangIndexer } from "./shebang.ts";
import { systemdIndexer } from "./systemd.ts";

export const INDEXERS: readonly Indexer[] = [
  pythonPackaging,
  pythonSourceIndexer,
  nodePackage,
  jsRoutesIndexer,
  go,
  rustCargo,
  rustAttrsIndexer,
  cCompile,
  elfExports,
  shebangIndexer,
  systemdIndexer,
  launchdIndexer,
  ipcIndexer,
  projectIndexer,
] as readonly Indexer[];
