/**
 * The native addon's folder lister (native/src/lister.cc, ADR 0038), typed: folders listed depth
 * first from the roots on two threads of the addon's own while the caller walks them, handed
 * over in batches. `startFolderLister` returns undefined when the addon is unavailable
 * (RTT_NO_NATIVE=1, not built, Windows); the caller then reads each folder itself, as it does
 * for any folder the lister answers "not listed" for.
 */
import { loadNativeAddon } from "./native.ts";

/** An entry's kind in a listing, as lister.cc numbers them. */
export const ListedType = {
  file: 1,
  folder: 2,
  link: 3,
  fifo: 4,
  socket: 5,
} as const;

/** One folder's entries: the named ones sorted by bytes, the other regular files counted. */
export interface FolderListing {
  /** Regular files the filter did not name, and devices: only counted. */
  readonly plainFiles: number;
  readonly names: readonly string[];
  /** `types[i]` is names[i]'s ListedType. */
  readonly types: ArrayLike<number>;
}

/**
 * Which regular files a listing names; a name passing none of these is only counted. (Every
 * file in a folder called `manifests` is named.)
 */
export interface ListedNames {
  /** Every one. */
  readonly all: boolean;
  readonly names: readonly string[];
  /** Names ending with one of these (`.py`). */
  readonly suffixes: readonly string[];
  readonly containing: readonly string[];
  /** Names with no dot but a dot file's leading one (`run`, `.profile`). */
  readonly noExtension: boolean;
}

/** Whether a listing names a regular file called `name` under `filter`: lister.cc's rule. */
export function isNamed(filter: ListedNames, name: string): boolean {
  if (filter.all || filter.names.includes(name)) return true;
  if (filter.suffixes.some((s) => name.endsWith(s))) return true;
  if (filter.containing.some((c) => name.includes(c))) return true;
  const dot = name.lastIndexOf(".");
  return filter.noExtension && dot <= 0;
}

export interface FolderLister {
  /** The roots it was started with, in the order given. */
  readonly roots: readonly string[];
  /** Which regular files listings name from now on (every one until this is called). */
  name(filter: ListedNames): void;
  /**
   * The listing of `path`, waiting for it if the threads have not reached it yet. Ask only for
   * a root or a folder named in a listing this lister gave (others never come). Undefined: it
   * was not listed (pruned, unreadable, holding a name that is not UTF-8, or taken before), or
   * the lister gave up waiting on a slow folder and stopped: read it yourself.
   */
  take(path: string): FolderListing | undefined;
  /** Nothing below `path` will be taken: the threads do not descend into it. */
  skip(path: string): void;
  /** Stops the threads and drops every listing not taken. Idempotent. */
  close(): void;
}

type Handle = object;
/**
 * Folders listed since the last drain (lister.cc): whether more will come, whether the wait ran
 * out; each folder's path then its names, each ended by "\0"; per folder its plain files (-1:
 * not listed) and how many names; each name's type.
 */
type Batch = [
  finished: boolean,
  timedOut: boolean,
  text: string,
  shape: Int32Array,
  types: Uint8Array,
];
interface RawLister {
  listerStart(roots: readonly string[], prune: readonly string[]): Handle | undefined;
  listerFilter(handle: Handle, filter: ListedNames): void;
  listerSkip(handle: Handle, path: string): void;
  listerDrain(handle: Handle, awaited: string | null, waitMs: number): Batch;
  listerClose(handle: Handle): void;
}

/**
 * How long a walk waits for one folder before it reads the rest itself: a listing takes
 * microseconds, so this is a thread stuck on a slow or hung mount (in a folder the walk may not
 * even enter), which must not hold the scan.
 */
const STALL_MS = 250;

function rawLister(): RawLister | undefined {
  const loaded = loadNativeAddon();
  if ("reason" in loaded) return undefined;
  const raw = loaded.raw as Partial<RawLister> | null;
  return typeof raw?.listerStart === "function" && typeof raw.listerSkip === "function"
    ? (raw as RawLister)
    : undefined;
}

/**
 * Starts listing `roots` (in the order a stack holding them would be pushed: the last is listed
 * first) and every folder below them whose name is not in `prune`; undefined without the addon,
 * when no thread can be started, or when a root holds a NUL (no folder is named so).
 */
export function startFolderLister(
  roots: readonly string[],
  prune: readonly string[],
): FolderLister | undefined {
  const raw = rawLister();
  if (raw === undefined || [...roots, ...prune].some((p) => p.includes("\0"))) return undefined;
  const handle = raw.listerStart(roots, prune);
  return handle === undefined ? undefined : new NativeLister(raw, handle, roots);
}

/** Listings handed over in batches (one call for many folders), kept until taken. */
class NativeLister implements FolderLister {
  readonly roots: readonly string[];
  readonly #raw: RawLister;
  readonly #handle: Handle;
  /** Listed and not yet taken; null: not listed. */
  readonly #listed = new Map<string, FolderListing | null>();
  /** Taken already: a folder visited twice is listed once, so the second visit reads it. */
  readonly #taken = new Set<string>();
  /** Nothing more will come: everything is listed, or the lister was closed or gave up. */
  #finished = false;
  #closed = false;

  constructor(raw: RawLister, handle: Handle, roots: readonly string[]) {
    this.roots = [...roots];
    this.#raw = raw;
    this.#handle = handle;
  }

  name(filter: ListedNames): void {
    if (!this.#closed) this.#raw.listerFilter(this.#handle, filter);
  }

  take(path: string): FolderListing | undefined {
    if (this.#taken.has(path)) return undefined;
    while (!this.#listed.has(path) && !this.#finished) this.#drain(path);
    const listing = this.#listed.get(path);
    this.#listed.delete(path);
    this.#taken.add(path);
    return listing ?? undefined;
  }

  skip(path: string): void {
    if (!this.#closed) this.#raw.listerSkip(this.#handle, path);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finished = true;
    this.#listed.clear();
    this.#raw.listerClose(this.#handle);
  }

  #drain(awaited: string): void {
    const [finished, timedOut, text, shape, types] = this.#raw.listerDrain(
      this.#handle,
      awaited,
      STALL_MS,
    );
    this.#finished = finished;
    const parts = text.split("\0");
    let at = 0;
    let typeAt = 0;
    for (let i = 0; i < shape.length; i += 2) {
      const path = parts[at++] as string;
      const plainFiles = shape[i] as number;
      const count = shape[i + 1] as number;
      this.#listed.set(
        path,
        plainFiles < 0
          ? null
          : {
              plainFiles,
              names: parts.slice(at, at + count),
              types: types.subarray(typeAt, typeAt + count),
            },
      );
      at += count;
      typeAt += count;
    }
    // Stuck on a slow or hung folder: everything still to come is read by the caller.
    if (timedOut && !this.#listed.has(awaited)) this.close();
  }
}
