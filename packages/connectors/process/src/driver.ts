/**
 * The process driver (spec §8 connector-process): `proc`, `hook` and `plugin` symbols whose
 * manifest says how to run them. Run as a program, this file is the driver executable.
 *
 * A symbol's command comes from its manifest's `x-run` (an argv array), or from the route's
 * `command` parameter (a JSON argv array). Route parameters: `framing` (lines | length-prefixed
 * | raw, default lines), `respawn` (never | on-failure | always, default on-failure), `cwd`,
 * `correlate` (none | sequence, default none: with sequence, the n-th message of the process's
 * output goes out with correlation id n, so replies to it can be paired, e.g. by the http driver).
 */
import { dirname } from "node:path";
import { defineConnector, findManifests, type RxMessage, serveDriver } from "@rtt/connector-sdk";
import { type Contract, RttError } from "@rtt/core";
import { FRAMINGS, type Framing } from "./framing.ts";
import { ProcessEndpoint, RESPAWN_POLICIES, type RespawnPolicy } from "./process-endpoint.ts";

const RUNNABLE = new Set(["proc", "hook", "plugin"]);

type RunnableContract = Contract & {
  readonly "x-run"?: readonly string[];
  readonly "x-cwd"?: string;
};

/** Manifests under `root` for runnable symbols that say how to run them. */
function probeRunnable(root: string): Contract[] {
  return findManifests(root)
    .filter(
      ({ contract }) =>
        RUNNABLE.has(contract.type) && Array.isArray((contract as RunnableContract)["x-run"]),
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

/** Endpoints whose output messages are numbered as correlation ids (`correlate: sequence`). */
const numbered = new WeakSet<ProcessEndpoint>();

async function* withSequence(messages: AsyncIterable<Uint8Array>): AsyncGenerator<RxMessage> {
  let n = 0;
  for await (const payload of messages) yield { payload, correlation: ++n };
}

export const processConnector = defineConnector<ProcessEndpoint>({
  name: "process",
  version: "0.1.0",
  probe: (root) => probeRunnable(root),
  open(symbol, params) {
    const runnable = symbol as RunnableContract;
    const [command, ...args] = argvOf(runnable, params);
    const endpoint = new ProcessEndpoint({
      command: command as string,
      args,
      framing: oneOf<Framing>(params.framing, FRAMINGS, "lines", "framing"),
      respawn: oneOf<RespawnPolicy>(params.respawn, RESPAWN_POLICIES, "on-failure", "respawn"),
      ...((params.cwd ?? runnable["x-cwd"]) ? { cwd: params.cwd ?? runnable["x-cwd"] } : {}),
    });
    if (oneOf(params.correlate, ["none", "sequence"], "none", "correlate") === "sequence")
      numbered.add(endpoint);
    endpoint.start();
    return endpoint;
  },
  tx: (endpoint, bytes) => endpoint.tx(bytes),
  rx: (endpoint) =>
    numbered.has(endpoint) ? withSequence(endpoint.messages()) : endpoint.messages(),
  close: (endpoint) => endpoint.close(),
  health(endpoint) {
    const h = endpoint.health();
    return { ok: h.ok, lag_ms: 0, ...(h.err === undefined ? {} : { err: h.err }) };
  },
});

if (import.meta.main) await serveDriver(processConnector);
