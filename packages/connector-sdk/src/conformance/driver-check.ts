/**
 * `rtt driver check`: runs one driver executable through the driver contract of
 * docs/connectors.md, launched as the panel launches it (DriverHost), and returns a verdict per
 * rule. The rules live in process-checks.ts (the process), target-checks.ts (a route's target
 * end) and source-checks.ts (a route's source end); this module orders them and skips what a
 * failed prerequisite makes meaningless.
 */
import type { Contract, LaneKind } from "@rtt/core";
import { DriverHost, type DriverHostOptions } from "../host/driver-host.ts";
import type { DriverLaunch } from "../host/launch.ts";
import {
  checkCookie,
  checkErrorTrailer,
  checkGraceExit,
  checkHealthStream,
  checkInfo,
  checkReattach,
  checkVersionRefusal,
} from "./process-checks.ts";
import { type CheckResult, CheckRun, expect } from "./report.ts";
import { runSourceChecks, SOURCE_CHECKS } from "./source-checks.ts";
import { type CheckSymbol, checkSymbol } from "./symbol.ts";
import { checkContractRefusal, checkDeliveredMark, checkTargetLane } from "./target-checks.ts";

export interface DriverCheckOptions {
  /** The symbol to open (default: the first Probe(root) finds). */
  readonly contract?: Contract;
  /** Where Probe looks (default: the current folder). */
  readonly root?: string;
  /** Open params for the symbol. */
  readonly params?: Readonly<Record<string, string>>;
  /** The messages sent: `{i}` is replaced by 1, 2, 3, … (default "rtt-check {i}"). */
  readonly message?: string;
  /** Messages per data check (default 20). */
  readonly count?: number;
  /** How long the driver may take to write its line (default 10 s). */
  readonly startTimeoutMs?: number;
  /** RTT_DRIVER_GRACE_MS for the driver under check (default 500). */
  readonly graceMs?: number;
  /** Each verdict as soon as it is known. */
  readonly onResult?: (r: CheckResult) => void;
}

/** Every check, in the order they run: what `--json` lists and the tests match on. */
export const DRIVER_CHECKS = [
  "cookie",
  "version-refusal",
  "handshake-line",
  "get-info",
  "error-trailer",
  "health-stream",
  "open",
  "target-uds",
  "target-tcp",
  "contract-refusal",
  "delivered-mark",
  ...SOURCE_CHECKS,
  "reattach",
  "grace-exit",
] as const;

const HEARTBEAT_MS = 50;

export async function checkDriver(
  launch: DriverLaunch,
  o: DriverCheckOptions = {},
): Promise<CheckResult[]> {
  const run = new CheckRun(o.onResult);
  const startTimeoutMs = o.startTimeoutMs ?? 10_000;
  const graceMs = o.graceMs ?? 500;
  const hostOptions: DriverHostOptions = {
    startTimeoutMs,
    restart: false,
    heartbeatMs: HEARTBEAT_MS,
    graceMs,
    log: false,
    callTimeoutMs: 5000,
  };
  const template = o.message ?? "rtt-check {i}";
  const message = (i: number) => Buffer.from(template.replaceAll("{i}", String(i)));
  const count = o.count ?? 20;

  await run.run("cookie", 10_000, () => checkCookie(launch, 5000));
  await run.run("version-refusal", startTimeoutMs + 5000, () =>
    checkVersionRefusal(launch, hostOptions),
  );
  let host: DriverHost | undefined;
  await run.run("handshake-line", startTimeoutMs + 5000, async () => {
    host = await DriverHost.launch(launch, hostOptions);
    return `pid ${host.record.pid}, socket ${host.record.socket}, protocol ${host.record.protocolVersion}`;
  });
  if (host === undefined) {
    run.skip(DRIVER_CHECKS.slice(3), "the driver did not start");
    return run.results;
  }
  const h: DriverHost = host;
  let detached = false;
  try {
    let lanes: LaneKind[] = ["uds", "tcp"];
    await run.run("get-info", 5000, async () => {
      const why = await checkInfo(h);
      lanes = [...(h.lanes ?? lanes)];
      return why;
    });
    await run.run("error-trailer", 5000, () => checkErrorTrailer(h));
    await run.run("health-stream", 5000, () => checkHealthStream(h));

    let symbol: CheckSymbol | undefined;
    await run.run("open", 10_000, async () => {
      symbol = await checkSymbol(h, o.contract, o.root ?? process.cwd(), o.params ?? {});
      const s = symbol;
      const link = await h.open(s.saddr, {
        contract: s.contract,
        contractHash: s.contractHash,
        params: s.params,
      });
      const listed = await h.client.listLinks();
      expect(
        listed.some((l) => l.linkId === link && l.saddr === s.saddr),
        `ListLinks does not list link ${link} of ${s.saddr}`,
      );
      await h.close(link);
      return `link ${link} to ${s.saddr}, listed by ListLinks`;
    });
    if (symbol === undefined) {
      run.skip(DRIVER_CHECKS.slice(7, -2), "no symbol was opened");
    } else {
      const s: CheckSymbol = symbol;
      for (const kind of ["uds", "tcp"] as const) {
        if (!lanes.includes(kind)) {
          run.record(`target-${kind}`, "skip", `the driver does not declare ${kind} lanes`);
          continue;
        }
        await run.run(`target-${kind}`, 15_000, () => checkTargetLane(h, s, kind, message, count));
      }
      await run.run("contract-refusal", 10_000, () => checkContractRefusal(h, s));
      await run.run("delivered-mark", 15_000, () => checkDeliveredMark(h, s, message));
      const second: LaneKind = lanes.includes("tcp") ? "tcp" : "uds";
      await runSourceChecks(run, h, s, {
        message,
        count,
        heartbeatMs: HEARTBEAT_MS,
        kinds: ["uds", second],
      });
    }

    // Last: a link left open to find again, then the host goes away for good.
    const kept =
      symbol === undefined
        ? undefined
        : await h
            .open(symbol.saddr, {
              contract: symbol.contract,
              contractHash: symbol.contractHash,
              params: symbol.params,
            })
            .catch(() => undefined);
    detached = true;
    const gone = h.detach();
    const again = await run.run("reattach", 10_000, () => checkReattach(gone, hostOptions, kept));
    if (again === undefined) {
      run.skip(["grace-exit"], "re-attach did not pass");
      killQuietly(gone.record.pid);
    } else {
      await run.run("grace-exit", graceMs + 10_000, () =>
        checkGraceExit(again.host, gone, graceMs),
      );
    }
  } finally {
    if (!detached) await h.stop().catch(() => {});
  }
  return run.results;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}
