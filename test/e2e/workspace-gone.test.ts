/**
 * A workspace deleted under its running panel (packages/panel/src/daemon/workspace-gone.ts): no
 * client can reach that panel any more, so it stops by itself, and its drivers and their
 * programs with it, instead of running until the machine restarts.
 */
import { rmSync } from "node:fs";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { describePids } from "../support/panel-processes.ts";
import {
  bothRoutesLive,
  processes,
  quickstartSuite,
  scanAndApply,
} from "../support/quickstart-workspace.ts";

const suite = quickstartSuite();

describe("a workspace deleted under its panel", () => {
  it("the panel, its drivers and their programs all end", async () => {
    const ws = suite.use();
    await scanAndApply(ws);
    const pids = ws.trackTree(await bothRoutesLive(ws));
    rmSync(ws.root, { recursive: true, force: true });
    await eventually(() => processes.live(pids).length === 0, {
      what: "the deleted workspace's panel, drivers and programs to exit",
      timeoutMs: 30_000,
      intervalMs: 100,
      detail: () => `still alive:\n${describePids(processes.live(pids))}`,
    });
  });
});
