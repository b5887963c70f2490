/**
 * The driver-process rules of the contract (docs/connectors.md §2–5, §10): the cookie, the
 * version refusal, the line on descriptor 3, GetInfo, error trailers, the Health stream,
 * re-attach and the grace period. Each launches through DriverHost, as the panel does, except
 * the cookie check: a host always sets the cookie, and that check is about its absence.
 */
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { errorMessage, RttError } from "@rtt/core";
import { declaredLanes, lanesOfLine } from "../handshake/lane-kinds.ts";
import { COOKIE_ENV, PROTOCOL_VERSIONS_ENV } from "../handshake/protocol.ts";
import { type DetachedDriver, DriverHost, type DriverHostOptions } from "../host/driver-host.ts";
import type { DriverLaunch } from "../host/launch.ts";
import { processRef } from "../process-identity.ts";
import { CheckFailed, expect } from "./report.ts";

/** Started without the cookie, a driver must exit non-zero without writing its line. */
export async function checkCookie(launch: DriverLaunch, timeoutMs: number): Promise<string> {
  // Everything a host sets but the cookie: its absence alone must stop the driver.
  const env: NodeJS.ProcessEnv = { ...process.env, ...launch.env, [PROTOCOL_VERSIONS_ENV]: "1" };
  delete env[COOKIE_ENV];
  const child = spawn(launch.command, [...(launch.args ?? [])], {
    cwd: launch.cwd,
    env,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  let line = "";
  let said = "";
  (child.stdio[3] as Readable | null)?.on("data", (b: Buffer) => {
    line += b.toString();
    // It started: nothing more to wait for.
    if (line.startsWith("RTT|")) child.kill("SIGKILL");
  });
  child.stdout?.on("data", (b: Buffer) => {
    said += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    said += b.toString();
  });
  const exit = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(null);
    }, timeoutMs);
    child.once("error", () => resolve(-1));
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  expect(
    !line.startsWith("RTT|"),
    `started without ${COOKIE_ENV}, it started anyway (wrote its handshake line)`,
  );
  expect(
    exit !== null,
    `started without ${COOKIE_ENV}, it was still running after ${timeoutMs} ms`,
  );
  expect(exit !== 0, `started without ${COOKIE_ENV}, it exited with status 0`);
  expect(said.trim() !== "", `started without ${COOKIE_ENV}, it exited ${exit} without a word`);
  return `without ${COOKIE_ENV} it exits ${exit}: ${firstLine(said)}`;
}

/** Offered only a protocol version it cannot speak, a driver must refuse with the version code. */
export async function checkVersionRefusal(
  launch: DriverLaunch,
  options: DriverHostOptions,
): Promise<string> {
  let host: DriverHost | undefined;
  try {
    host = await DriverHost.launch(launch, { ...options, protocolVersions: [999_999] });
  } catch (error) {
    expect(
      error instanceof RttError && error.code === "RTT_ERR_DRIVER_VERSION",
      `offered only version 999999, it failed otherwise: ${errorMessage(error)}`,
    );
    return `offered only version 999999: ${error.message}`;
  }
  await host.stop();
  throw new CheckFailed("offered only version 999999, it started anyway");
}

/** GetInfo answers what the line said: nonce, pid, the start time /proc has, lane kinds. */
export async function checkInfo(host: DriverHost): Promise<string> {
  const info = await host.info();
  const record = host.record;
  expect(info.nonce === record.nonce, "GetInfo's nonce is not the handshake line's");
  expect(info.pid === record.pid, `GetInfo's pid ${info.pid} is not the line's ${record.pid}`);
  const proc = processRef(record.pid).startTime;
  expect(
    info.start_time === record.startTime,
    `GetInfo's start time ${info.start_time} is not the line's ${record.startTime}`,
  );
  expect(
    record.startTime === "0" || proc === "0" || proc === record.startTime,
    `the line's start time ${record.startTime} is not /proc/${record.pid}/stat's ${proc}`,
  );
  expect(
    info.protocol_versions.includes(info.protocol_version),
    `protocol_version ${info.protocol_version} is not among protocol_versions`,
  );
  const lanes = declaredLanes(info.lanes, "GetInfo's lanes");
  const line = lanesOfLine(host.handshakeExtra);
  expect(
    line.join(",") === lanes.join(","),
    `the handshake line declares lanes ${line.join(",")} but GetInfo ${lanes.join(",")}`,
  );
  return `${info.name} ${info.version}, pid ${info.pid}, start time ${info.start_time}, lanes ${lanes.join(",")}`;
}

/** A call on a link that does not exist fails with RTT_ERR_DRIVER_LINK in the trailer. */
export async function checkErrorTrailer(host: DriverHost): Promise<string> {
  try {
    await host.client.bind("rtt-check-no-such-link", {});
  } catch (error) {
    expect(
      error instanceof RttError && error.code === "RTT_ERR_DRIVER_LINK",
      `Bind on an unknown link failed without the rtt-error-code trailer RTT_ERR_DRIVER_LINK: ${errorMessage(error)}`,
    );
    return `Bind on an unknown link: ${error.code}`;
  }
  throw new CheckFailed("Bind on an unknown link succeeded");
}

/** Health("") streams a driver sample (link_id "") every interval. */
export async function checkHealthStream(host: DriverHost): Promise<string> {
  const stream = host.health({ intervalMs: 50 });
  let driverSamples = 0;
  try {
    for await (const sample of stream) {
      if (sample.link_id === "") driverSamples++;
      if (driverSamples === 2) break;
    }
  } finally {
    stream.cancel();
  }
  expect(driverSamples === 2, "the Health stream ended before two driver samples");
  return 'two driver samples (link_id "") 50 ms apart';
}

/**
 * The host goes away (stdin closed, its connection gone): a new host re-attaches with the
 * record and finds the links. Returns the new host, and the process's end (we stay its parent).
 */
export async function checkReattach(
  detached: DetachedDriver,
  options: DriverHostOptions,
  link: string | undefined,
): Promise<{ why: string; host: DriverHost }> {
  const again = await DriverHost.attach(detached.record, { ...options, restart: false });
  const info = await again.info();
  expect(info.nonce === detached.record.nonce, "after re-attach GetInfo answers another nonce");
  const links = await again.client.listLinks();
  if (link !== undefined)
    expect(
      links.some((l) => l.linkId === link),
      `after re-attach ListLinks does not list link ${link}`,
    );
  return {
    why: `re-attached to pid ${info.pid}${link === undefined ? "" : `, link ${link} still open`}`,
    host: again,
  };
}

/** With no host left (stdin closed, no Health stream), the driver exits after its grace. */
export async function checkGraceExit(
  host: DriverHost,
  detached: DetachedDriver,
  graceMs: number,
): Promise<string> {
  const started = performance.now();
  host.detach();
  const deadline = graceMs + 5000;
  const status = await Promise.race([
    detached.exit,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline).unref()),
  ]);
  if (status === undefined) {
    process.kill(detached.record.pid, "SIGKILL");
    throw new CheckFailed(
      `with its host gone it was still running ${deadline} ms later (grace ${graceMs} ms)`,
    );
  }
  const took = Math.round(performance.now() - started);
  return `exited ${took} ms after its host went away (grace ${graceMs} ms)`;
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}
