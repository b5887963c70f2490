/**
 * The contract between the scanner and its indexers (ADR 0026). An indexer finds symbols that
 * no manifest declares, in files the walk already visits: it never walks on its own.
 *
 * It works in two steps so that the scan can cache the costly one by file stamp:
 * - `read` turns one file into *facts* (plain JSON, kept in the scan state and recalled while
 *   the file's size, mtime and inode are unchanged);
 * - `discover` turns the facts of every file it read into claims. It is a pure function of
 *   those facts, so neither the order of files nor a cached fact can change the catalog, and a
 *   claim that needs two files (a `package main` folder and the `go.mod` above it) is made here.
 *
 * Nothing an indexer finds is ever run by finding it: a claim is a candidate symbol that routes
 * may name and `rtt adopt` may turn into a manifest.
 */
import type { Contract, JsonValue } from "@rtt/core";

/** A folder entry the walk reached, as readdir typed it (no stat yet). */
export interface IndexEntry {
  /** Relative to the workspace root, '/'-separated. */
  readonly rel: string;
  readonly abs: string;
  /** The entry's own name (the last segment of `rel`). */
  readonly name: string;
  readonly kind: "file" | "fifo" | "socket";
}

/** One wanted entry, stat'ed, with bounded readers. */
export interface IndexInput extends IndexEntry {
  /** `stat`'s mode (file type and permission bits). */
  readonly mode: number;
  readonly size: number;
  /**
   * The first `bytes` (at most 4096) of a regular file, opened non-blocking; empty for FIFOs and
   * sockets, which are never opened.
   */
  head(bytes?: number): Buffer;
  /**
   * The whole file as strict UTF-8, up to the scan's byte limit. Throws an RttError (too large,
   * not UTF-8, unreadable) that the scanner reports at the file; never call it for FIFOs or
   * sockets.
   */
  text(): string;
}

/** Where a claim comes from: the indexer, and the file and line that made it. */
export interface Provenance {
  readonly indexer: string;
  readonly file: string;
  /** 1-based; 1 when the claim is about the whole file. */
  readonly line: number;
}

/** A candidate symbol as an indexer found it. */
export interface Discovery {
  /**
   * The symbol as a manifest would declare it: a concrete saddr (see `discoveredSaddr`), type,
   * direction, io, and the `x-` keys that say what would run or reach it (`x-run` argv, `x-cwd`
   * relative to the provenance file's folder, `x-path`, `x-url`, `x-listen`). The scanner
   * validates it against the manifest schema; an invalid one is the indexer's bug, reported.
   */
  readonly contract: Contract & Readonly<Record<`x-${string}`, JsonValue>>;
  /** How sure the indexer is, 0 < score < 1; a manifest's claim is 1 and outranks every one. */
  readonly score: number;
  readonly provenance: Provenance;
  /**
   * Set when the symbol's name is its file's path (a shebang script): the scanner then names it
   * by the path below the project folder the file sits in (project-namespaces.ts), so that two
   * scripts of one project never share a name and a script's name does not depend on where
   * the workspace root is.
   */
  readonly namedByPath?: true;
}

/** The facts one file yielded to one indexer. */
export interface FileFacts<Fact extends JsonValue> {
  readonly rel: string;
  readonly facts: readonly Fact[];
}

/**
 * The file names an indexer's `wants` may say yes to, declared so that the walk asks it about
 * those files only (one lookup per file instead of one call per indexer). A superset is fine:
 * `wants` still decides. FIFOs and sockets are offered to every indexer whatever it declares.
 */
export interface WantedNames {
  /** Exact names: `package.json`. */
  readonly names?: readonly string[];
  /**
   * Extensions, from the name's last dot (`.py`); `""` for a name with none (`Makefile`). A dot
   * file with no other dot (`.profile`) is offered under both `.profile` and `""`.
   */
  readonly extensions?: readonly string[];
  /** Text the name contains, for names no extension captures (`libz.so.1.2`). */
  readonly containing?: readonly string[];
}

export interface Indexer<Fact extends JsonValue = JsonValue> {
  /** Lowercase, `[a-z0-9-]+`: the symbol's source is `indexer:<name>`. */
  readonly name: string;
  /**
   * What the indexer makes of the same bytes, as a small integer: bump it whenever `read` would
   * find other facts in a file it already read (it finds more, or finds them differently). The
   * scan recalls facts by file stamp, so without a bump a warm scan keeps what the old code found;
   * with one, the files this indexer wants are read again (the others stay recalled).
   */
  readonly revision: number;
  /** Which names `wants` may accept; absent: it is asked about every file. */
  readonly wanted?: WantedNames;
  /**
   * Whether the entry may hold a claim, from its name, folder and kind alone: no I/O. Called for
   * every file the walk visits, so it must be cheap; `read` may still find nothing.
   */
  wants(entry: IndexEntry): boolean;
  /** What the file says, as facts; [] when nothing. May be async (parsers load lazily). */
  read(input: IndexInput): readonly Fact[] | Promise<readonly Fact[]>;
  /** The claims the facts of every file read make, sorted or not (the scanner sorts). */
  discover(files: readonly FileFacts<Fact>[]): readonly Discovery[];
}
