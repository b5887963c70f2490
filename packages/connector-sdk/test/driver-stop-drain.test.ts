// DriverHost.stop({ drainMs }): a driver whose Shutdown waits for a link's program to drain gets
// that time on top of the stop's steps (ADR 0024); without it the drain is cut short, and the
// host's log says so. Real driver processes; the close takes 3 s, each stop step 300 ms.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DriverHost, type DriverLogLine } from "@rtt/connector-sdk";
import { nodeDriver, quietOptions, stopAll } from "./helpers.ts";

const hosts: DriverHost[] = [];
const dir = mkdtempSync(join(tmpdir(), "rtt-stop-drain-"));
after(async () => {
  await stopAll(hosts);
  rmSync(dir, { recursive: true, force: true });
});

/** A slow-close driver with one link open; its close writes `file`. */
async function withLink(file: string, lines: DriverLogLine[]): Promise<DriverHost> {
  const launch = nodeDriver("slow-close", "slow-close-driver.ts", {
    SLOW_CLOSE_MS: "3000",
    CLOSED_FILE: file,
  });
  const host = await DriverHost.launch(launch, quietOptions(lines, { stopTimeoutMs: 300 }));
  hosts.push(host);
  const saddr = (await host.probe(dir))[0]?.saddr ?? "";
  await host.open(saddr);
  return host;
}

const cutShort = (lines: readonly DriverLogLine[]) =>
  lines.filter((l) => l.stream === "host" && /cut short/.test(l.line));

test("stop with drainMs waits for the link's close to finish", async () => {
  const lines: DriverLogLine[] = [];
  const file = join(dir, "waited");
  const host = await withLink(file, lines);
  await host.stop({ drainMs: 10_000 });
  assert.equal(readFileSync(file, "utf8"), "closed");
  assert.deepEqual(cutShort(lines), []);
});

test("stop without it cuts the close short, and the log says so", async () => {
  const lines: DriverLogLine[] = [];
  const file = join(dir, "cut");
  const host = await withLink(file, lines);
  await host.stop();
  assert.equal(existsSync(file), false, "the close never finished");
  assert.equal(cutShort(lines).length, 1, JSON.stringify(lines.map((l) => l.line)));
});
