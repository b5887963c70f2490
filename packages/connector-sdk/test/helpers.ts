/**
 * Test-only: launching the fixture drivers as real processes, and looking at processes and
 * sockets afterwards.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type {
  DriverHost,
  DriverHostOptions,
  DriverLaunch,
  DriverLogLine,
} from "@rtt/connector-sdk";

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** A launch of fixture `file` with this very Node binary. */
export function nodeDriver(
  name: string,
  file: string,
  env: Record<string, string> = {},
): DriverLaunch {
  return { name, command: process.execPath, args: [fixture(file)], env };
}

/** Host options for tests: quiet, fast, with the output lines collected. */
export function quietOptions(
  lines: DriverLogLine[] = [],
  extra: DriverHostOptions = {},
): DriverHostOptions {
  return {
    log: (l) => lines.push(l),
    startTimeoutMs: 5000,
    heartbeatMs: 50,
    graceMs: 2000,
    stopTimeoutMs: 2000,
    ...extra,
  };
}

/** The process state letter from /proc (Z = zombie), or undefined when the pid is gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

export function socketFileGone(address: string): boolean {
  return address.startsWith("@") || !existsSync(address);
}

/** Stops every host given, ignoring those already stopped. */
export async function stopAll(hosts: readonly (DriverHost | undefined)[]): Promise<void> {
  await Promise.all(hosts.map((h) => h?.stop().catch(() => {})));
}
