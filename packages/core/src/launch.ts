/**
 * What runs at a symbol (issue 14, "What runs is part of the plan"; ADR 0012): the manifest
 * that declares it, the driver that opens it, and every manifest `x-` key that decides what that
 * driver executes or touches — the argv (`x-run`), its working folder (`x-cwd`, else the
 * manifest's folder), the file it opens (`x-path`), the URL it reaches (`x-url`) and any other
 * `x-` key a driver may read. Only pure labels are left out: they change nothing that runs.
 *
 * `launchHash` covers it, so the catalog, the plan and the WAL's topology can tell an edited
 * `x-run` from an unchanged one, and the panel opens a route end with the launch the plan
 * recorded — not whatever the manifest says by the time apply runs.
 *
 * Paths are relative to the workspace root with '/' separators (absolute ones stay absolute),
 * so a copied workspace hashes the same; `resolveLaunchPath` makes them absolute for a driver.
 */
import { posix } from "node:path";
import { canonicalHash } from "./canonical-json.ts";
import type { JsonValue } from "./json-value.ts";

/**
 * `x-` keys that are labels for people and tools, not for drivers: the stub's canned answers
 * (`x-examples`, served only while a target is degraded, running nothing), notes, owners, and
 * where `rtt adopt` found the symbol it wrote a manifest for (`x-discovered-from`).
 */
export const LAUNCH_LABEL_KEYS: ReadonlySet<string> = new Set([
  "x-discovered-from",
  "x-examples",
  "x-note",
  "x-owner",
]);

/**
 * Route parameters that would make a driver run or touch something else than the manifest says:
 * the process driver's `command` and `cwd`, the file driver's `path`, the http driver's `url`
 * and `listen` — and the obvious spellings of the same (`argv`, `run`, `env`). Routes may not
 * carry them: what runs comes from the catalog only.
 */
export const LAUNCH_ROUTE_PARAMS: readonly string[] = [
  "argv",
  "command",
  "cwd",
  "env",
  "listen",
  "path",
  "run",
  "url",
];

export interface Launch {
  /** The declaring manifest, relative to the workspace root. */
  readonly manifest: string;
  /** The connector that opens the symbol; absent when none can (the plan refuses the route). */
  readonly driver?: string;
  /** `x-run`: the program and its arguments. */
  readonly argv?: readonly string[];
  /** Where the program runs: `x-cwd` resolved against the manifest's folder, else that folder. */
  readonly cwd: string;
  /** `x-path`, resolved against the manifest's folder: the file the file driver opens. */
  readonly path?: string;
  /** `x-url`: the loopback URL the http driver reaches. */
  readonly url?: string;
  /** Every other `x-` key but labels (e.g. `x-env`, a custom driver's own keys), keys sorted. */
  readonly extra?: Readonly<Record<string, JsonValue>>;
}

/** What a launch is derived from: a catalog symbol's type, `x-` keys and manifest file. */
export interface LaunchSource {
  readonly type: string;
  readonly extensions?: Readonly<Record<string, JsonValue>>;
  readonly source: { readonly file: string };
}

/** The keys a launch takes a field from, when the value has the field's type. */
const FIELD_KEYS = new Set(["x-run", "x-cwd", "x-path", "x-url", "x-driver"]);

const BY_TYPE: Readonly<Partial<Record<string, string>>> = { api: "http", file: "file" };

/**
 * Which connector opens a symbol: its manifest's `x-driver`; else `http` for an api and `file`
 * for a file; else `process` when the manifest says how to run it (`x-run`). Undefined: nothing
 * can open it, and the plan says so.
 */
export function driverFor(symbol: Omit<LaunchSource, "source">): string | undefined {
  const named = symbol.extensions?.["x-driver"];
  if (typeof named === "string" && named !== "") return named;
  const byType = BY_TYPE[symbol.type];
  if (byType !== undefined) return byType;
  return Array.isArray(symbol.extensions?.["x-run"]) ? "process" : undefined;
}

/** `p` against the manifest's folder `dir` (both workspace-relative); absolute stays absolute. */
function against(dir: string, p: string): string {
  return posix.isAbsolute(p) ? posix.normalize(p) : posix.normalize(posix.join(dir, p));
}

const isArgv = (v: JsonValue | undefined): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === "string");

export function launchOf(symbol: LaunchSource): Launch {
  const x = symbol.extensions ?? {};
  const dir = posix.dirname(symbol.source.file);
  const driver = driverFor(symbol);
  const argv = x["x-run"];
  const cwd = x["x-cwd"];
  const path = x["x-path"];
  const url = x["x-url"];
  const taken = (key: string, value: JsonValue | undefined) =>
    key === "x-run"
      ? isArgv(value)
      : key === "x-driver"
        ? driver === value
        : FIELD_KEYS.has(key) && typeof value === "string";
  // A known key with a value of the wrong type is still covered, as an extra.
  const extra = Object.entries(x)
    .filter(([key, value]) => !LAUNCH_LABEL_KEYS.has(key) && !taken(key, value))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    manifest: symbol.source.file,
    ...(driver === undefined ? {} : { driver }),
    ...(isArgv(argv) ? { argv } : {}),
    cwd: typeof cwd === "string" ? against(dir, cwd) : dir,
    ...(typeof path === "string" ? { path: against(dir, path) } : {}),
    ...(typeof url === "string" ? { url } : {}),
    ...(extra.length === 0 ? {} : { extra: Object.fromEntries(extra) }),
  };
}

export function launchHash(launch: Launch): string {
  return canonicalHash(launch as unknown as JsonValue);
}

/** A launch path as a driver needs it: absolute, under `root` unless it was absolute already. */
export function resolveLaunchPath(root: string, p: string): string {
  return posix.isAbsolute(p) ? p : posix.join(root, p);
}

/**
 * The `x-` keys a driver is opened with, from a launch: what the plan recorded, with paths made
 * absolute under `root` (`x-cwd` always: the driver runs the program there).
 */
export function launchExtensions(launch: Launch, root: string): Record<string, JsonValue> {
  return {
    ...launch.extra,
    ...(launch.driver === undefined ? {} : { "x-driver": launch.driver }),
    ...(launch.argv === undefined ? {} : { "x-run": [...launch.argv] }),
    "x-cwd": resolveLaunchPath(root, launch.cwd),
    ...(launch.path === undefined ? {} : { "x-path": resolveLaunchPath(root, launch.path) }),
    ...(launch.url === undefined ? {} : { "x-url": launch.url }),
  };
}

/** The route parameters a driver would take as something to run or touch; sorted. */
export function launchRouteParams(params: Readonly<Record<string, unknown>> | undefined): string[] {
  return Object.keys(params ?? {})
    .filter((k) => LAUNCH_ROUTE_PARAMS.includes(k))
    .sort();
}

/**
 * What differs between two launches of one symbol, for the plan's `~` lines: e.g.
 * `argv: ["node","a.mjs"] → ["node","b.mjs"]`. Empty when they are the same.
 */
export function launchChanges(before: Launch, after: Launch): string[] {
  const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
  const out: string[] = [];
  const fields = ["manifest", "driver", "argv", "cwd", "path", "url", "extra"] as const;
  for (const f of fields) {
    const a = show(before[f]);
    const b = show(after[f]);
    if (a !== b) out.push(`${f}: ${a} → ${b}`);
  }
  return out;
}
