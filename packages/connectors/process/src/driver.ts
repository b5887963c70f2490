/**
 * The process driver (docs/design.md §Connectors): any symbol whose manifest says how to run it
 * (`x-run`, an argv array) — `proc`, `hook`, `plugin`, but also a `bus` or an `extension` that
 * is a program — except `api`, which the http driver runs. Run as a program, this file is the
 * driver executable.
 *
 * The command comes from the manifest's `x-run`, run in `x-cwd` (the manifest's folder, set by
 * probe, or passed by the panel in the contract) with `x-env` added to its environment, or from
 * the route's `command` parameter (a JSON argv array). Route parameters: `framing` (lines |
 * length-prefixed | raw, default lines), `respawn` (never | on-failure | always, default
 * on-failure), `cwd`, `correlate` (none | sequence). A retired target program gets EOF and
 * `x-drain-ms` (default 5000) to finish before SIGTERM (ADR 0024); a source's is ended at once.
 * With sequence, the n-th message of the process's output goes out with correlation id n, so replies to it can be paired (e.g. by the http driver); it is the default
 * when the contract's `io` is `req` (a request/response hook), else none. Replies come back
 * through tx like any inbound message: each payload framed onto stdin, so under `lines` a reply
 * that is one JSON object (never a raw newline inside) reaches the program as one line.
 *
 * Open resolves once the program started (start-check.ts: it kept running for `x-settle-ms`
 * and, with `x-ready`, became ready); else it ends it and fails with RTT_ERR_PROGRAM_START, so
 * the panel rolls the batch back (ADR 0012).
 *
 * At the ends of a journaled route (OpenContext) the program outlives this driver and its
 * successor adopts it; at the source end each message's correlation id is its end offset in the
 * route's journal instead (see journal-cursor.ts), so `correlate: sequence` is refused there.
 */
import { dirname } from "node:path";
import {
  defineConnector,
  findManifests,
  RESPAWN_POLICIES,
  type RespawnPolicy,
  type RxMessage,
  serveDriver,
} from "@rtt/connector-sdk";
import { type Contract, RttError } from "@rtt/core";
import { takeFromOwnLink } from "./dir-holders.ts";
import { FRAMINGS, type Framing } from "./framing.ts";
import { ProcessEndpoint } from "./process-endpoint.ts";
import { startCheckOf } from "./start-check.ts";

/** Types the process driver leaves to another driver even when they have an `x-run`. */
const NOT_OURS = new Set(["api"]);

type RunnableContract = Contract & {
  readonly "x-run"?: readonly string[];
  readonly "x-cwd"?: string;
  /** How long a retired program has to finish after EOF (ADR 0024); the schema checks it. */
  readonly "x-drain-ms"?: number;
  /** Added to the program's environment. */
  readonly "x-env"?: unknown;
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The manifest's `x-env`, checked here too: a contract may come from any host, and a name
 * with "=" or a NUL in a value would reach spawn.
 */
function envOf(symbol: RunnableContract): Record<string, string> | undefined {
  const env = symbol["x-env"];
  if (env === undefined) return undefined;
  const bad = (what: string) =>
    new RttError("RTT_ERR_DOC_SCHEMA", `process driver: ${symbol.saddr}: x-env ${what}`, {
      hint: 'e.g. "x-env": {"LOG_LEVEL": "debug"}',
    });
  if (typeof env !== "object" || env === null || Array.isArray(env))
    throw bad("is not an object of names and strings");
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) throw bad(`name ${JSON.stringify(name)} is not a variable name`);
    if (typeof value !== "string" || value.includes("\0"))
      throw bad(`${name} is not a string without NUL characters`);
  }
  return env as Record<string, string>;
}

/** Manifests under `root` for symbols that say how to run them (and are not apis). */
function probeRunnable(root: string): Contract[] {
  return findManifests(root)
    .filter(
      ({ contract }) =>
        !NOT_OURS.has(contract.type) && Array.isArray((contract as RunnableContract)["x-run"]),
    )
    .map(({ path, contract }) => ({ ...contract, "x-cwd": dirname(path) }) as Contract);
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  what: string,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new RttError(
    "RTT_ERR_DOC_SCHEMA",
    `process driver: ${what} ${JSON.stringify(value)}; expected one of ${allowed.join(", ")}`,
  );
}

function argvOf(symbol: RunnableContract, params: Readonly<Record<string, string>>): string[] {
  const fromParams =
    params.command === undefined ? undefined : (JSON.parse(params.command) as unknown);
  const argv = fromParams ?? symbol["x-run"];
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === "string")) {
    throw new RttError("RTT_ERR_DOC_SCHEMA", `process driver: ${symbol.saddr} has no command`, {
      hint: 'give the manifest an "x-run": ["program", "arg"] or the route a command parameter',
    });
  }
  return argv as string[];
}

/** Open's error for a program that did not start: its argv, the cause, its last stderr lines. */
function startFailed(
  saddr: string,
  argv: readonly string[],
  cause: string,
  stderr: readonly string[],
): RttError {
  const said = stderr.length === 0 ? "" : `; its last stderr lines: ${stderr.join(" | ")}`;
  return new RttError(
    "RTT_ERR_PROGRAM_START",
    `process driver: ${saddr}: program ${JSON.stringify(argv)} did not start: ${cause}${said}`,
    {
      hint: "check the manifest's x-run (is the program installed, on PATH, given the right arguments?); a slow starter can declare x-settle-ms or x-ready",
    },
  );
}

/** How an endpoint's output messages are numbered as correlation ids. */
type Numbering = "none" | "sequence" | "journal";
const numbering = new WeakMap<ProcessEndpoint, Numbering>();
/** Endpoints at their route's source end (OpenContext.source). */
const sources = new WeakSet<ProcessEndpoint>();

/** An output message as rx yields it, numbered `how`. */
function shapeFor(how: Numbering): (payload: Uint8Array, end: number) => Uint8Array | RxMessage {
  if (how === "none") return (payload) => payload;
  if (how === "journal") return (payload, end) => ({ payload, correlation: end });
  let n = 0;
  return (payload) => ({ payload, correlation: ++n });
}

export const processConnector = defineConnector<ProcessEndpoint>({
  name: "process",
  version: "0.1.0",
  // So a program fed to several routes runs once whatever they tell their targets (ADR 0025).
  params: ["command", "cwd", "framing", "respawn", "correlate"],
  probe: (root) => probeRunnable(root),
  async open(symbol, params, context) {
    const runnable = symbol as RunnableContract;
    const argv = argvOf(runnable, params);
    const [command, ...args] = argv;
    const cwd = params.cwd ?? runnable["x-cwd"];
    const env = envOf(runnable);
    const check = startCheckOf(runnable, cwd ?? process.cwd());
    const log = (line: string) => process.stderr.write(`[process] ${line}\n`);
    const endpoint = new ProcessEndpoint({
      command: command as string,
      args,
      framing: oneOf<Framing>(params.framing, FRAMINGS, "lines", "framing"),
      respawn: oneOf<RespawnPolicy>(params.respawn, RESPAWN_POLICIES, "on-failure", "respawn"),
      ...(cwd ? { cwd } : {}),
      ...(env === undefined ? {} : { env }),
      // A route's source is ended at once; a target drained (ADR 0024).
      ...(context.source === true
        ? { drainMs: 0 }
        : typeof runnable["x-drain-ms"] === "number"
          ? { drainMs: runnable["x-drain-ms"] }
          : {}),
      ...(context.stateDir === undefined ? {} : { stateDir: context.stateDir }),
      ...(context.journal === undefined ? {} : { journal: context.journal }),
      log,
    });
    // A request/response symbol numbers its requests unless told otherwise, so replies pair.
    const correlateDefault = runnable.io === "req" ? "sequence" : "none";
    const correlate = oneOf(params.correlate, ["none", "sequence"], correlateDefault, "correlate");
    if (context.journal !== undefined && correlate === "sequence")
      throw new RttError(
        "RTT_ERR_DOC_SCHEMA",
        `process driver: ${symbol.saddr} is the source of a journaled route, whose correlation ids are journal offsets; correlate: sequence cannot number them too`,
        {
          hint: "drop the route's correlate param, or give the route a drop policy other than buffer",
        },
      );
    numbering.set(endpoint, context.journal !== undefined ? "journal" : correlate);
    // Another link of this driver may run this end's program (a held route's heal opens a
    // fresh link beside the parked one): once nothing here can fail, it hands the program
    // over, and the start adopts it.
    if (context.stateDir !== undefined) await takeFromOwnLink(context.stateDir, endpoint.launch);
    if (context.source === true) sources.add(endpoint);
    endpoint.start();
    const cause = await endpoint.started(check);
    if (cause !== undefined) {
      // Ended first: no respawn takes its place (and its stderr) meanwhile, and its stderr closes.
      await endpoint.abandon();
      const tail = await endpoint.stderrTail();
      throw startFailed(symbol.saddr, argv, cause, tail);
    }
    return endpoint;
  },
  tx: (endpoint, bytes) => endpoint.txNow(bytes),
  // StdinWriter.write copies what it keeps past its return: the ring's view is enough.
  txBorrows: true,
  txMany: (endpoint, messages) => endpoint.txMany(messages),
  rx: (endpoint) => endpoint.shaped(shapeFor(numbering.get(endpoint) ?? "none")),
  // A message of a read slab (read-slab.ts): the slab is read into again once all are released.
  rxRelease: (endpoint, chunk) => endpoint.release(chunk),
  // A source's program is not drained: nothing it took is the route's to account for.
  close: async (endpoint, how) => {
    const report = await endpoint.close(how);
    return sources.has(endpoint) ? undefined : report;
  },
  health(endpoint) {
    const h = endpoint.health();
    return {
      ok: h.ok,
      lag_ms: 0,
      ...(h.err === undefined ? {} : { err: h.err }),
      errors: endpoint.errors,
      unaccounted: endpoint.unaccounted,
    };
  },
});

if (import.meta.main) await serveDriver(processConnector);
