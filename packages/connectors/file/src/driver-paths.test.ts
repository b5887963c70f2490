/**
 * The file driver re-checks a path before opening it (ADR 0022, defence in depth behind the
 * plan): a real driver process refuses a contract without `x-allow-paths`, a path outside them
 * (absolute, or through a symlink made after any plan), and opens one inside.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DriverHost } from "@rtt/connector-sdk";

let host: DriverHost;
let ws: string;
let outside: string;

before(async () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "rtt-file-paths-")));
  ws = join(base, "ws");
  outside = join(base, "outside");
  mkdirSync(ws);
  mkdirSync(outside);
  symlinkSync(outside, join(ws, "out"));
  host = await DriverHost.launch(
    {
      name: "file",
      command: process.execPath,
      args: [fileURLToPath(new URL("./driver.ts", import.meta.url))],
    },
    { startTimeoutMs: 20_000, stopTimeoutMs: 2000, log: () => {} },
  );
});
after(async () => {
  await host?.stop().catch(() => {});
  rmSync(join(ws, ".."), { recursive: true, force: true });
});

const SADDR = "rtt://t/file/sink@1.0.0#ndjson";

function open(path: string, allow?: readonly string[]): Promise<string> {
  const contract = {
    saddr: SADDR,
    type: "file",
    direction: "consumer",
    "x-path": path,
    ...(allow === undefined ? {} : { "x-allow-paths": allow }),
  };
  return host.open(SADDR, { contract: JSON.stringify(contract), params: {} });
}

const refused = (pattern: RegExp) => (e: Error & { code?: string }) =>
  e.code === "RTT_ERR_PATH_OUTSIDE" && pattern.test(e.message);

describe("the file driver's own path check", () => {
  it("refuses a contract that does not say where paths may lie", async () => {
    await assert.rejects(open(join(ws, "a.ndjson")), refused(/no valid x-allow-paths/));
  });

  it("refuses /etc/passwd and a path through a link out of the workspace", async () => {
    await assert.rejects(
      open("/etc/passwd", [ws]),
      refused(/"\/etc\/passwd" leads to \/etc\/passwd/),
    );
    const linked = join(ws, "out", "x.ndjson");
    await assert.rejects(
      open(linked, [ws]),
      refused(new RegExp(`leads to ${join(outside, "x.ndjson")}`)),
    );
    assert.equal(existsSync(join(outside, "x.ndjson")), false);
  });

  it("opens a path inside the workspace, or under another allowed prefix", async () => {
    const inside = await open(join(ws, "a.ndjson"), [ws]);
    const allowed = await open(join(ws, "out", "x.ndjson"), [ws, outside]);
    await host.close(inside);
    await host.close(allowed);
  });
});
