/**
 * Drivers' own Probe as claims (issue 17, ADR 0026). Each connector in `.rtt/drivers/` is started
 * as the panel starts it (the same lookup, `driverLaunch`, in the same sandbox), asked GetInfo and
 * then Probe for each scan root under a deadline, and stopped; every symbol it names becomes a
 * claim of indexer `driver-<name>` scored 0.7. All drivers are asked at once.
 *
 * A driver is hostile input: it may not start, hang, or answer with anything. Each such failure
 * is a warning naming the driver, and costs only that driver's claims (or just the symbol that
 * is bad): the scan goes on. At most MAX_PROBED_SYMBOLS symbols are taken from one driver, each
 * validated with the manifest schema.
 *
 * The built-in connectors are not started: their probes only find the manifests the scan reads
 * itself (the file connector's FIFOs and sockets are an in-process indexer). A workspace without
 * driver files costs one readdir; a scan that passes a key for its tree reuses the last result
 * while nothing it depends on changed (driver-probe-cache.ts).
 */
import { readdirSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import {
  DriverHost,
  type DriverHostOptions,
  type DriverLaunch,
  type ProbedSymbol,
} from "@rtt/connector-sdk";
import {
  type Diagnostic,
  type ErrorCode,
  errorMessage,
  formatSaddr,
  parseConcrete,
  RttError,
  validateDocument,
} from "@rtt/core";
import { driverLaunch } from "../daemon/host-pool.ts";
import { DEFAULT_PREFER, loadAllowPaths } from "../plan/inputs.ts";
import { DriverSandbox } from "../sandbox/driver-sandbox.ts";
import { loadPanelConfig, relativeToRoot, type WorkspacePaths } from "../workspace/workspace.ts";
import { probeInputs, recallProbe, rememberProbe } from "./driver-probe-cache.ts";
import { segmentOf } from "./indexers/address.ts";
import type { Discovery } from "./indexers/indexer.ts";
import { scanWarning } from "./scan-warning.ts";
import { isWithin } from "./within.ts";

/** ADR 0026: a driver's Probe ranks below project metadata and parsers, above name heuristics. */
export const DRIVER_PROBE_SCORE = 0.7;
/** The most symbols one driver may claim in one scan; the rest are dropped with a warning. */
export const MAX_PROBED_SYMBOLS = 1000;
/** The largest contract a driver may send for one symbol. */
const MAX_CONTRACT_CHARS = 64 * 1024;

export interface DriverProbeOptions {
  /** Puts a launch in a sandbox; default: panel.yaml's `security.sandbox`, as the panel does. */
  readonly confine?: (launch: DriverLaunch) => DriverLaunch;
  /** The deadline of GetInfo and of each Probe (default 2 s). */
  readonly callTimeoutMs?: number;
  /** How long a driver may take to start (default 5 s). */
  readonly startTimeoutMs?: number;
  /**
   * The caller's key for the tree the drivers look at (e.g. a digest of the walk's files and
   * their stamps). Given, the result is cached in `.rtt/cache/driver-probe.json`, and a later
   * call with the same key, roots, panel.yaml and driver files returns it without starting any
   * driver. Without it every call probes.
   */
  readonly treeKey?: string;
  /** Where the drivers' output goes (default: nowhere; failures quote its last lines). */
  readonly log?: DriverHostOptions["log"];
}

export interface DriverProbeResult {
  readonly claims: readonly Discovery[];
  /** Warnings, each at the driver's file. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A connector file in `.rtt/drivers/`, with how the panel would start it. */
interface WorkspaceDriver {
  readonly name: string;
  /** The file it starts from, relative to the workspace root. */
  readonly file: string;
  readonly launch: DriverLaunch;
}

const SCRIPT = /\.(ts|mjs|js)$/;
const NO_CLAIMS: DriverProbeResult = { claims: [], diagnostics: [] };

const codeOf = (error: unknown, fallback: ErrorCode): ErrorCode =>
  error instanceof RttError ? error.code : fallback;

/**
 * The drivers in `.rtt/drivers/`, by name (`x.ts`, `x.mjs`, `x.js`, or an executable `x`),
 * sorted; a name the panel could never start is a warning. None when the folder is absent.
 */
function workspaceDrivers(paths: WorkspacePaths): {
  drivers: WorkspaceDriver[];
  diagnostics: Diagnostic[];
} {
  let names: string[];
  try {
    names = readdirSync(paths.drivers).sort();
  } catch {
    return { drivers: [], diagnostics: [] };
  }
  const found = new Map<string, string>();
  for (const entry of names) {
    if (entry.startsWith(".")) continue;
    let stats: ReturnType<typeof statSync>;
    try {
      stats = statSync(join(paths.drivers, entry));
    } catch {
      continue;
    }
    if (!stats.isFile()) continue;
    // Neither a script nor executable (a README, a note): not a driver.
    if (!SCRIPT.test(entry) && (stats.mode & 0o111) === 0) continue;
    const name = entry.replace(SCRIPT, "");
    if (!found.has(name)) found.set(name, entry);
  }
  const drivers: WorkspaceDriver[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, entry] of found) {
    const file = relativeToRoot(paths, join(paths.drivers, entry));
    try {
      const launch = driverLaunch(paths.drivers, name);
      const from = launch.args?.[0] ?? launch.command;
      drivers.push({ name, file: relativeToRoot(paths, from), launch });
    } catch (error) {
      diagnostics.push(
        scanWarning(
          file,
          codeOf(error, "RTT_ERR_DRIVER_SPAWN"),
          `driver "${name}" not probed: ${errorMessage(error)}`,
        ),
      );
    }
  }
  return { drivers, diagnostics };
}

/** The sandbox panel.yaml asks for, as the daemon builds it; a probing driver gets no catalog. */
function panelSandbox(paths: WorkspacePaths): (launch: DriverLaunch) => DriverLaunch {
  const raw = loadPanelConfig(paths).config.raw;
  const sandbox = new DriverSandbox(paths, raw.security?.sandbox ?? "auto", {
    prefer: raw.routing?.prefer ?? DEFAULT_PREFER,
    catalog: () => [],
    allowPaths: () => loadAllowPaths(paths),
  });
  return (launch) => sandbox.wrap(launch);
}

/**
 * Asks every driver in `.rtt/drivers/` what it finds under each scan root (`roots`, relative to
 * the workspace root, as panel.yaml's `scan.roots`). Never throws for what a driver does.
 */
export async function probeDrivers(
  paths: WorkspacePaths,
  roots: readonly string[],
  options: DriverProbeOptions = {},
): Promise<DriverProbeResult> {
  const found = workspaceDrivers(paths);
  if (found.drivers.length === 0)
    return found.diagnostics.length === 0
      ? NO_CLAIMS
      : { claims: [], diagnostics: found.diagnostics };
  if (options.treeKey === undefined) return probeAll(paths, found, roots, options);
  const cache = join(paths.cache, "driver-probe.json");
  const files = found.drivers.map((d) => join(paths.root, d.file));
  const inputs = probeInputs(paths, options.treeKey, roots, files);
  const recalled = recallProbe<DriverProbeResult>(cache, inputs);
  if (recalled !== undefined) return recalled;
  const result = await probeAll(paths, found, roots, options);
  // A driver that did not start or answer in time may next time: ask it again then.
  if (!result.diagnostics.some((d) => TRANSIENT.has(d.code))) rememberProbe(cache, inputs, result);
  return result;
}

const TRANSIENT: ReadonlySet<ErrorCode> = new Set([
  "RTT_ERR_DRIVER_EXITED",
  "RTT_ERR_DRIVER_HANDSHAKE",
  "RTT_ERR_DRIVER_SPAWN",
  "RTT_ERR_DRIVER_TIMEOUT",
  "RTT_ERR_SANDBOX_UNAVAILABLE",
]);

/** Starts and asks every driver found. */
async function probeAll(
  paths: WorkspacePaths,
  { drivers, diagnostics }: { drivers: WorkspaceDriver[]; diagnostics: Diagnostic[] },
  roots: readonly string[],
  options: DriverProbeOptions,
): Promise<DriverProbeResult> {
  let confine: (launch: DriverLaunch) => DriverLaunch;
  try {
    confine = options.confine ?? panelSandbox(paths);
  } catch (error) {
    const why = errorMessage(error);
    const code = codeOf(error, "RTT_ERR_SANDBOX_UNAVAILABLE");
    return {
      claims: [],
      diagnostics: [
        ...diagnostics,
        ...drivers.map((d) => scanWarning(d.file, code, `driver "${d.name}" not probed: ${why}`)),
      ],
    };
  }
  const absRoots = roots.map((r) => resolve(paths.root, r));
  const each = await Promise.all(
    drivers.map((d) => probeOne(paths, d, absRoots, confine, options)),
  );
  return {
    claims: each.flatMap((r) => r.claims),
    diagnostics: [...diagnostics, ...each.flatMap((r) => r.diagnostics)],
  };
}

/** One driver: start, GetInfo, Probe each root, stop. Whatever it got before a failure is kept. */
async function probeOne(
  paths: WorkspacePaths,
  driver: WorkspaceDriver,
  roots: readonly string[],
  confine: (launch: DriverLaunch) => DriverLaunch,
  options: DriverProbeOptions,
): Promise<DriverProbeResult> {
  const diagnostics: Diagnostic[] = [];
  const self = `driver "${driver.name}"`;
  // The host's own errors name the driver already.
  const warn = (code: ErrorCode, message: string) =>
    diagnostics.push(
      scanWarning(driver.file, code, message.startsWith(self) ? message : `${self}: ${message}`),
    );
  let host: DriverHost;
  try {
    host = await DriverHost.launch(confine(driver.launch), {
      startTimeoutMs: options.startTimeoutMs ?? 5000,
      callTimeoutMs: options.callTimeoutMs ?? 2000,
      stopTimeoutMs: 1000,
      restart: false,
      log: options.log ?? false,
    });
  } catch (error) {
    warn(codeOf(error, "RTT_ERR_DRIVER_SPAWN"), `${self} not probed: ${errorMessage(error)}`);
    return { claims: [], diagnostics };
  }
  const claims = new Map<string, Discovery>();
  let taken = 0;
  try {
    await host.info();
    for (const root of roots) {
      const probed = await host.probe(root);
      for (const symbol of probed) {
        if (taken === MAX_PROBED_SYMBOLS) {
          warn(
            "RTT_ERR_DRIVER_CALL",
            `Probe named more than ${MAX_PROBED_SYMBOLS} symbols; the rest were left out`,
          );
          return { claims: [...claims.values()], diagnostics };
        }
        taken++;
        const claim = claimOf(paths, driver, root, symbol);
        if (typeof claim === "string") warn("RTT_ERR_DRIVER_CALL", claim);
        else claims.set(`${claim.contract.saddr} ${claim.provenance.file}`, claim);
      }
    }
  } catch (error) {
    warn(codeOf(error, "RTT_ERR_DRIVER_CALL"), errorMessage(error));
  } finally {
    await host.stop().catch(() => {});
  }
  return { claims: [...claims.values()], diagnostics };
}

/** What a probed symbol is shown as in a warning: its address, cut short. */
const named = (symbol: ProbedSymbol): string => JSON.stringify(String(symbol.saddr).slice(0, 200));

/**
 * One probed symbol as a claim, or why it is not one. Its contract must be a valid manifest
 * `symbol` whose address, type and direction are what the driver said (its hash the catalog
 * computes again). Provenance is the
 * file at its `x-path` (which must lie under the root probed; made relative to that file's
 * folder, as a claim's paths are), else the driver's own file; line 1 either way.
 */
function claimOf(
  paths: WorkspacePaths,
  driver: WorkspaceDriver,
  root: string,
  symbol: ProbedSymbol,
): Discovery | string {
  const json = String(symbol.contract_json);
  if (json.length > MAX_CONTRACT_CHARS)
    return `Probe: symbol ${named(symbol)} left out: its contract is over ${MAX_CONTRACT_CHARS} characters`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return `Probe: symbol ${named(symbol)} left out: its contract is not JSON`;
  }
  const label = `${driver.file} (Probe)`;
  const checked = validateDocument("manifest", JSON.stringify({ symbol: parsed }), label);
  if (!checked.ok)
    return `Probe: symbol ${named(symbol)} left out: ${checked.diagnostics[0]?.message ?? "not a valid contract"}`;
  const contract = checked.value.symbol as Discovery["contract"];
  const saddr = formatSaddr(parseConcrete(contract.saddr));
  if (
    saddr !== symbol.saddr ||
    contract.type !== symbol.type ||
    contract.direction !== symbol.direction
  )
    return `Probe: symbol ${named(symbol)} left out: its contract is for ${saddr} (${contract.type}, ${contract.direction})`;
  const indexer = `driver-${segmentOf(driver.name, "driver")}`;
  // The driver that found it opens it (and its own `x-<driver>-…` keys are known keys then).
  const opened = { ...contract, saddr, "x-driver": contract["x-driver"] ?? driver.name };
  const at = contract["x-path"];
  if (typeof at !== "string")
    return {
      contract: opened,
      score: DRIVER_PROBE_SCORE,
      provenance: { indexer, file: driver.file, line: 1 },
    };
  const abs = isAbsolute(at) ? resolve(at) : resolve(root, at);
  if (abs === root || !isWithin(abs, [root]))
    return `Probe: symbol ${saddr} left out: its x-path ${JSON.stringify(at)} is not under the scan root ${relativeToRoot(paths, root) || "."}`;
  const file = relative(paths.root, abs).split(sep).join("/");
  return {
    contract: { ...opened, "x-path": basename(abs) },
    score: DRIVER_PROBE_SCORE,
    provenance: { indexer, file, line: 1 },
  };
}
