/**
 * The scanner's memory between runs (`.rtt/cache/scan-state.json`): for every file it read,
 * the (size, mtime, inode, mode) it had and what reading it produced. A rescan re-reads only
 * files whose stamp changed. It is a cache: unreadable or of another format means "start cold".
 */
import { statSync } from "node:fs";
import { readStateFile } from "@rtt/connector-sdk/state-files.ts";
import {
  type CatalogSymbol,
  canonicalHash,
  type Diagnostic,
  type JsonValue,
  KNOWN_EXTENSION_KEYS,
  type PanelConfig,
  type TagRule,
} from "@rtt/core";
import { writeFileAtomic } from "../workspace/atomic-write.ts";
import { type IndexerKey, parseIndexerKey } from "./indexer-revisions.ts";
import type { GitState } from "./vcs/symbol-tags.ts";

/**
 * The state's format. It names the manifest keys RTT knows too (by digest): a manifest's
 * outcome keeps its unknown-key warnings, so an RTT that knows other keys reads every manifest
 * again rather than repeat warnings it would no longer give.
 */
export const SCAN_STATE_FORMAT = `rtt.scan-state/v5+${canonicalHash(KNOWN_EXTENSION_KEYS).slice(0, 12)}`;

export interface FileStamp {
  readonly size: number;
  readonly mtime_ms: number;
  readonly ino: number;
  /**
   * `stat`'s mode, of a file the scan read: a `chmod +x` changes what an indexer finds (a
   * shebang script is one only when executable) and neither the size nor the mtime.
   */
  readonly mode?: number;
}

export type FileOutcome =
  | {
      readonly kind: "manifest";
      /**
       * The symbol the manifest declares, before sidecar tags (those can change without the
       * manifest changing). Absent when the manifest was invalid; the diagnostics say why.
       */
      readonly symbol?: CatalogSymbol;
      /** Where `symbol.saddr` sits in the file, for conflict reports. */
      readonly saddr_at?: { readonly line: number; readonly column: number };
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly kind: "tags";
      readonly rules: readonly TagRule[];
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      /** An entry indexers wanted: what each one's `read` made of it (ADR 0026). */
      readonly kind: "indexed";
      /** Facts by indexer name; an indexer that found nothing or failed is absent. */
      readonly facts: Readonly<Record<string, readonly JsonValue[]>>;
      /** Why an indexer's `read` failed here, as warnings. */
      readonly diagnostics: readonly Diagnostic[];
    };

export type StateEntry = FileStamp & { readonly outcome: FileOutcome };

export interface ScanState {
  readonly format: typeof SCAN_STATE_FORMAT;
  /** SHA-256 of the catalog text last written, to skip rewriting an unchanged catalog. */
  readonly catalog_hash: string;
  /** The catalog file's stamp as this scan left it: a catalog changed since is rewritten. */
  readonly catalog?: FileStamp;
  /** The last valid panel.yaml and its stamp: a warm scan then needs no schema validator. */
  readonly config?: FileStamp & { readonly raw: PanelConfig };
  /** What the walk itself reported (loops, unreadable folders), as JSON, to notice changes. */
  readonly walk_report?: string;
  /** The digest of the trusted keys the files' signatures were checked with. */
  readonly trust?: string;
  /**
   * The indexers (name and revision) the `indexed` facts were read with, and the workspace root
   * they were read in: a new or revised indexer reads its files again; a moved workspace, or an
   * indexer gone, reads every file again (indexer-revisions.ts).
   */
  readonly indexers?: IndexerKey;
  /** What the catalog took from drivers' Probe (claims and warnings), as JSON. */
  readonly outside?: string;
  /** The git state of the folders the catalog's symbols sit in, as it was tagged with. */
  readonly git?: GitState;
  readonly files: Readonly<Record<string, StateEntry>>;
}

export const EMPTY_STATE: ScanState = { format: SCAN_STATE_FORMAT, catalog_hash: "", files: {} };

/**
 * The state this process last wrote or read, with its file's stamp then: a watching panel's
 * rescan finds the file as it left it and parses none of it (the state of a large tree is most
 * of a megabyte). Another stamp (another writer, a replaced file) reads the file again.
 */
let lastState:
  | {
      readonly path: string;
      readonly stamp: FileStamp;
      readonly state: ScanState;
      /** This process wrote it (rather than read it). */
      readonly written: boolean;
    }
  | undefined;

function remember(
  path: string,
  stamp: FileStamp | undefined,
  state: ScanState,
  written: boolean,
): ScanState {
  lastState = stamp === undefined ? undefined : { path, stamp, state, written };
  return state;
}

/**
 * `state` is what this process last wrote, found unchanged on disk by the read that returned it:
 * no other scan wrote since, so its stamps are this process's own observations.
 */
export function writtenHere(state: ScanState): boolean {
  return lastState?.state === state && lastState.written;
}

export function readScanState(path: string): ScanState {
  // Stamped before reading: a file replaced meanwhile is read again next time, never mistaken.
  const stamp = stampOf(path);
  if (stamp !== undefined && lastState?.path === path && sameStamp(lastState.stamp, stamp))
    return lastState.state;
  return remember(path, stamp, parseScanState(path), false);
}

function parseScanState(path: string): ScanState {
  try {
    const parsed = JSON.parse(readStateFile(path)) as Partial<ScanState>;
    if (
      parsed.format !== SCAN_STATE_FORMAT ||
      typeof parsed.files !== "object" ||
      parsed.files === null
    ) {
      return EMPTY_STATE;
    }
    // An older state's key (names only) is no key: every indexer counts as revised.
    const indexers = parseIndexerKey(parsed.indexers);
    return {
      format: SCAN_STATE_FORMAT,
      catalog_hash: String(parsed.catalog_hash ?? ""),
      ...(parsed.catalog === undefined ? {} : { catalog: parsed.catalog }),
      ...(parsed.config === undefined ? {} : { config: parsed.config }),
      ...(parsed.walk_report === undefined ? {} : { walk_report: String(parsed.walk_report) }),
      ...(parsed.trust === undefined ? {} : { trust: String(parsed.trust) }),
      ...(indexers === undefined ? {} : { indexers }),
      ...(parsed.outside === undefined ? {} : { outside: String(parsed.outside) }),
      ...(isGitState(parsed.git) ? { git: parsed.git } : {}),
      files: parsed.files,
    };
  } catch {
    return EMPTY_STATE;
  }
}

function isGitState(value: unknown): value is GitState {
  const git = value as Partial<GitState> | undefined;
  return (
    typeof git?.digest === "string" &&
    Array.isArray(git.folders) &&
    git.folders.every((f) => typeof f === "string")
  );
}

export function writeScanState(path: string, state: ScanState): void {
  // Not synced to disk: it is a cache, and one lost or torn by a crash reads as "start cold".
  // The fsync was a tenth of a watching panel's rescan.
  writeFileAtomic(path, JSON.stringify(state), undefined, false);
  remember(path, stampOf(path), state, true);
}

/** The stamp of a file, or undefined when it does not exist (or cannot be stat'ed). */
export function stampOf(path: string): FileStamp | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtime_ms: s.mtimeMs, ino: s.ino };
  } catch {
    return undefined;
  }
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtime_ms === b.mtime_ms && a.ino === b.ino && a.mode === b.mode;
}
