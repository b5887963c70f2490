/**
 * Watching the scan roots (issue 17 §Watch): a native watcher (@parcel/watcher: inotify,
 * FSEvents, ReadDirectoryChangesW) on each root and on `.rtt/`, told to skip what the scan
 * skips, so an ignored tree costs no watch at all. Events are coalesced over a short settle
 * window and handed, as workspace-relative paths, to one rescan at a time: a burst of writes
 * (an editor's save, a checkout) is one rescan, and a change during a rescan is another after it.
 *
 * The rescan is the warm scan, which re-reads only the files whose stamp changed; with the changed
 * paths it also skips the walk when only files the last walk found were edited (walk-memo.ts).
 */
import { join, relative, resolve, sep } from "node:path";
import { type AsyncSubscription, type Event, subscribe } from "@parcel/watcher";
import type { ResolvedConfig, WorkspacePaths } from "../workspace/workspace.ts";
import { IgnoreRules } from "./ignore-rules.ts";
import { isWithin } from "./within.ts";

/**
 * The OS's own notification API. Left to choose, the watcher first looks for watchman by
 * running a shell it never reaps: a zombie under the panel for as long as it runs.
 */
const NATIVE_BACKEND = ({ linux: "inotify", darwin: "fs-events", win32: "windows" } as const)[
  process.platform as "linux" | "darwin" | "win32"
];

/** How long events are gathered after the first before the rescan runs. */
export const SETTLE_MS = 50;

export interface WatchOptions {
  readonly settleMs?: number;
  /** A watcher's own failure (the root vanished, too many watches): reported, watching goes on. */
  readonly onError?: (error: Error) => void;
}

/** Calls `onChange` with what changed under the scan roots, one call at a time, until closed. */
export class ScanWatcher {
  readonly #subscriptions: readonly AsyncSubscription[];
  readonly #state: ChangeQueue;

  private constructor(subscriptions: readonly AsyncSubscription[], state: ChangeQueue) {
    this.#subscriptions = subscriptions;
    this.#state = state;
  }

  static async start(
    paths: WorkspacePaths,
    scan: ResolvedConfig["scan"],
    onChange: (changed: readonly string[]) => Promise<void> | void,
    options: WatchOptions = {},
  ): Promise<ScanWatcher> {
    const queue = new ChangeQueue(options.settleMs ?? SETTLE_MS, onChange, options.onError);
    const rules = IgnoreRules.fromConfig(scan.ignore);
    const skipped = paths.runtimeState;
    const subscriptions: AsyncSubscription[] = [];
    try {
      for (const dir of watchedFolders(paths, scan.roots)) {
        subscriptions.push(
          await subscribe(
            dir,
            (error, events) => {
              if (error !== null) {
                options.onError?.(error);
                return;
              }
              queue.add(relevant(paths.root, events, rules, skipped));
            },
            {
              ignore: watchIgnores(dir, scan.ignore, skipped),
              ...(NATIVE_BACKEND === undefined ? {} : { backend: NATIVE_BACKEND }),
            },
          ),
        );
      }
    } catch (error) {
      await Promise.allSettled(subscriptions.map((s) => s.unsubscribe()));
      throw error;
    }
    return new ScanWatcher(subscriptions, queue);
  }

  /** Resolves once no change is waiting and no `onChange` runs. */
  settled(): Promise<void> {
    return this.#state.settled();
  }

  /** Stops watching; a rescan under way finishes first. */
  async close(): Promise<void> {
    this.#state.close();
    await Promise.allSettled(this.#subscriptions.map((s) => s.unsubscribe()));
    await this.#state.settled();
  }
}

/**
 * The folders to subscribe to: each scan root and `.rtt/` (its manifests, panel.yaml, routes),
 * less any inside another (one subscription covers its whole tree).
 */
export function watchedFolders(paths: WorkspacePaths, roots: readonly string[]): string[] {
  const all = [...new Set([...roots.map((r) => resolve(paths.root, r)), paths.rttDir])];
  return all.filter((dir) => !all.some((other) => other !== dir && isWithin(dir, [other])));
}

/**
 * What the native watcher may skip under `dir`: RTT's own runtime state (its writes must not
 * trigger the rescans that cause them) and the folders panel.yaml ignores, as globs. gitignore
 * patterns are not globs: only the plain ones are translated (`logs` anywhere, `/build` at the
 * root); with any `!` re-include, none are, as a pruned folder could not re-include anything.
 * The events are filtered by the real rules anyway (`relevant`).
 */
export function watchIgnores(
  dir: string,
  patterns: readonly string[],
  skipped: readonly string[],
): string[] {
  const out = skipped.filter((s) => isWithin(s, [dir]));
  if (patterns.some((p) => p.startsWith("!"))) return out;
  for (const raw of patterns) {
    const p = raw.endsWith("/") ? raw.slice(0, -1) : raw;
    if (p === "" || /[*?[\]{}()!\\]/.test(p)) continue;
    const anchored = p.startsWith("/") || p.includes("/");
    if (anchored) out.push(join(dir, p.startsWith("/") ? p.slice(1) : p));
    else out.push(`**/${p}`, `**/${p}/**`);
  }
  return out;
}

/** The events' paths, relative to the workspace, less runtime state and ignored paths. */
function relevant(
  root: string,
  events: readonly Event[],
  rules: IgnoreRules,
  skipped: readonly string[],
): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (isWithin(e.path, skipped)) continue;
    const rel = relative(root, e.path).split(sep).join("/");
    if (rel === "" || rel.startsWith("..") || ignoredPath(rules, rel)) continue;
    out.push(rel);
  }
  return out;
}

/** `rel` or one of its folders is ignored by panel.yaml's scan.ignore. */
function ignoredPath(rules: IgnoreRules, rel: string): boolean {
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++)
    if (rules.ignores(parts.slice(0, i).join("/"), true)) return true;
  return rules.ignores(rel, false);
}

/** Changed paths gathered over the settle window, handed on one batch at a time. */
class ChangeQueue {
  readonly #settleMs: number;
  readonly #onChange: (changed: readonly string[]) => Promise<void> | void;
  readonly #onError: ((error: Error) => void) | undefined;
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  #idle: (() => void)[] = [];
  /** When the last call ended, and how long it took (performance.now() ms). */
  #lastEnd = 0;
  #lastMs = 0;

  constructor(
    settleMs: number,
    onChange: (changed: readonly string[]) => Promise<void> | void,
    onError: ((error: Error) => void) | undefined,
  ) {
    this.#settleMs = settleMs;
    this.#onChange = onChange;
    this.#onError = onError;
  }

  add(paths: readonly string[]): void {
    if (this.#closed || paths.length === 0) return;
    for (const p of paths) this.#pending.add(p);
    // The window opens at the first event: a steady stream of writes still rescans every
    // settleMs rather than never.
    if (this.#timer === undefined && this.#running === undefined) this.#schedule();
  }

  /**
   * The next call after the settle window, and no sooner after the last one ended than that one
   * took: a program writing under the roots all the time costs at most half a core of rescans,
   * while a change after a quiet spell waits only the settle window.
   */
  #schedule(): void {
    const rest = this.#lastEnd + this.#lastMs - performance.now();
    this.#timer = setTimeout(() => this.#flush(), Math.max(this.#settleMs, rest));
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed || this.#pending.size === 0) {
      this.#wake();
      return;
    }
    const batch = [...this.#pending].sort();
    this.#pending = new Set();
    const started = performance.now();
    this.#running = (async () => {
      try {
        await this.#onChange(batch);
      } catch (error) {
        this.#onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    })().finally(() => {
      this.#running = undefined;
      this.#lastEnd = performance.now();
      this.#lastMs = this.#lastEnd - started;
      if (this.#pending.size > 0 && !this.#closed) this.#schedule();
      else this.#wake();
    });
  }

  #wake(): void {
    if (this.#timer !== undefined || this.#running !== undefined) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle.push(resolve);
      this.#wake();
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
    this.#wake();
  }
}
