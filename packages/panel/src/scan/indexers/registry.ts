/**
 * Every indexer the scanner runs, in no particular order: the catalog does not depend on it
 * (claims are merged by rules, ADR 0026). Add one by importing it here.
 */
import type { Indexer } from "./indexer.ts";
import { ipcIndexer } from "./ipc.ts";
import { jsRoutesIndexer } from "./js-routes.ts";
import { launchdIndexer } from "./launchd.ts";
import { pythonSourceIndexer } from "./python-source.ts";
import { rustAttrsIndexer } from "./rust-attrs.ts";
import { shebangIndexer } from "./shebang.ts";
import { systemdIndexer } from "./systemd.ts";

export const INDEXERS: readonly Indexer[] = [
  shebangIndexer,
  ipcIndexer,
  systemdIndexer,
  launchdIndexer,
  pythonSourceIndexer,
  jsRoutesIndexer,
  rustAttrsIndexer,
] as readonly Indexer[];
