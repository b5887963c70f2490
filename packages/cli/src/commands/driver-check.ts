/**
 * `rtt driver check <executable>`: runs a connector driver through the driver contract of
 * docs/connectors.md (checkDriver in @rtt/connector-sdk) and prints each check, pass or fail
 * and why. Exit 1 when any check fails. The executable is found as the panel finds a driver
 * (driverLaunch): a .ts/.mjs/.js file is run with this Node, any other file must be executable,
 * and a bare name that is no file is a built-in driver (file, http, nats, process, stub).
 */
import { existsSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { type CheckResult, checkDriver, contractFromFile } from "@rtt/connector-sdk";
import { type Contract, escapeControl, RttError } from "@rtt/core";
import { driverLaunch } from "@rtt/panel";
import { paint } from "../output.ts";
import { type CommandContext, writeJson } from "./context.ts";

export interface DriverCheckFlags {
  readonly contract?: string;
  readonly param: readonly string[];
  readonly message?: string;
  readonly count?: string;
  readonly startTimeout?: string;
  readonly root?: string;
  readonly json?: boolean;
}

const SCRIPT = new Set([".ts", ".mjs", ".js"]);

function launchOf(ctx: CommandContext, executable: string) {
  const path = resolve(ctx.cwd, executable);
  if (existsSync(path)) {
    const ext = extname(path);
    const name = SCRIPT.has(ext) ? basename(path, ext) : basename(path);
    return driverLaunch(dirname(path), name);
  }
  if (executable.includes("/"))
    throw new RttError("RTT_ERR_USAGE", `driver check: no file ${executable}`, {
      hint: "name a driver executable, a .ts/.mjs/.js driver, or a built-in driver (file, http, nats, process, stub)",
    });
  return driverLaunch(resolve(ctx.cwd, ".rtt/drivers"), executable);
}

function paramsOf(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0)
      throw new RttError("RTT_ERR_USAGE", `--param ${JSON.stringify(v)}: expected key=value`, {
        hint: "e.g. --param framing=lines",
      });
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/**
 * The contract in `file`, placed as the panel places a manifest's: its programs run in the
 * manifest's folder (`x-cwd`) and the paths it opens lie there (`x-allow-paths`), unless it says.
 */
function withPlace(file: string): Contract {
  const contract = contractFromFile(file);
  const folder = dirname(file);
  return {
    "x-cwd": folder,
    "x-allow-paths": [folder],
    ...contract,
  } as Contract;
}

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new RttError("RTT_ERR_USAGE", `${flag} ${JSON.stringify(value)}: not a positive integer`);
  return n;
}

function line(ctx: CommandContext, r: CheckResult): string {
  const out = ctx.term.out;
  const mark =
    r.verdict === "pass"
      ? paint(out, "green", "pass")
      : r.verdict === "fail"
        ? paint(out, "red", "FAIL")
        : paint(out, "dim", "skip");
  // A driver's own output is quoted in some reasons: it cannot drive the terminal.
  return `${mark} ${r.name.padEnd(20)} ${escapeControl(r.why.split("\n")[0] ?? "")}\n`;
}

export async function driverCheckCommand(
  ctx: CommandContext,
  executable: string,
  flags: DriverCheckFlags,
): Promise<number> {
  const launch = launchOf(ctx, executable);
  const count = positive("--count", flags.count);
  const startTimeoutMs = positive("--start-timeout", flags.startTimeout);
  const contract =
    flags.contract === undefined ? undefined : withPlace(resolve(ctx.cwd, flags.contract));
  const results = await checkDriver(launch, {
    params: paramsOf(flags.param),
    root: resolve(ctx.cwd, flags.root ?? "."),
    ...(contract === undefined ? {} : { contract }),
    ...(flags.message === undefined ? {} : { message: flags.message }),
    ...(count === undefined ? {} : { count }),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
    ...(flags.json ? {} : { onResult: (r: CheckResult) => ctx.term.out.write(line(ctx, r)) }),
  });
  const failed = results.filter((r) => r.verdict === "fail").length;
  if (flags.json) {
    writeJson(ctx, { driver: launch.name, ok: failed === 0, checks: results });
  } else {
    const passed = results.filter((r) => r.verdict === "pass").length;
    const skipped = results.length - passed - failed;
    ctx.term.out.write(`${launch.name}: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
  return failed === 0 ? 0 : 1;
}
