import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "../process-identity.ts";
import { childTarget, leftoverGroup, signalProcess, terminate } from "./terminate.ts";

/** A node process running `script`, once it has printed its first line (its pid, say). */
async function started(
  script: string,
  detached = false,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["-e", script], {
    detached,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) =>
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim())),
  );
  return { child, line };
}

const STUBBORN =
  "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)";
const POLITE = "console.log('ready'); setInterval(() => {}, 1000)";

describe("terminate", () => {
  test("a process that exits on SIGTERM is not killed", async () => {
    const { child } = await started(POLITE);
    let kills = 0;
    const target = childTarget(child);
    const t0 = Date.now();
    assert.equal(await terminate(target, { graceMs: 5000, onKill: () => kills++ }), "exited");
    assert.ok(Date.now() - t0 < 4000, "it did not wait out the grace");
    assert.equal(child.signalCode, "SIGTERM");
    assert.equal(kills, 0);
  });

  test("one that ignores SIGTERM gets SIGKILL after the grace, with a warning", async () => {
    const { child } = await started(STUBBORN);
    let kills = 0;
    const target = childTarget(child);
    assert.equal(await terminate(target, { graceMs: 200, onKill: () => kills++ }), "killed");
    await eventually(() => child.signalCode === "SIGKILL", { what: "the child killed" });
    assert.equal(kills, 1);
  });

  test("a group goes whole: what the leader started too", async () => {
    const { child, line } = await started(
      `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(STUBBORN)}], { stdio: "ignore" });
       process.on("SIGTERM", () => {}); console.log(c.pid); setInterval(() => {}, 1000)`,
      true,
    );
    const grandchild = Number(line);
    assert.equal(isAlive(grandchild), true);
    const target = childTarget(child, { group: true });
    assert.equal(await terminate(target, { graceMs: 200 }), "killed");
    await eventually(() => !isAlive(grandchild), { what: "the grandchild ended" });
  });

  test("a group target whose leader leads no group (not yet, or no more) is signalled alone", async () => {
    // Not detached: the child is in our group, so there is no group of its pid to signal.
    const { child } = await started(STUBBORN);
    const target = childTarget(child, { group: true });
    assert.equal(await terminate(target, { graceMs: 200 }), "killed");
    await eventually(() => child.signalCode === "SIGKILL", { what: "the child killed" });
  });

  test("the caller's own request to exit (null) is followed by SIGKILL only", async () => {
    const { child } = await started(POLITE);
    const target = childTarget(child);
    assert.equal(await terminate(target, { signal: null, graceMs: 100 }), "killed");
    await eventually(() => child.signalCode === "SIGKILL", { what: "the child killed" });
  });

  test("what has exited already gets no signal at all", async () => {
    const { child } = await started(POLITE);
    child.kill("SIGKILL");
    const target = childTarget(child);
    await target.exited;
    let kills = 0;
    assert.equal(await terminate(target, { graceMs: 100, onKill: () => kills++ }), "exited");
    assert.equal(kills, 0);
    assert.equal(signalProcess(target, "SIGKILL"), false);
  });

  test("a process known by its pid alone is watched until it is gone", async () => {
    const { child } = await started(POLITE);
    const pid = child.pid ?? -1;
    const t0 = Date.now();
    assert.equal(await terminate({ pid }, { graceMs: 5000 }), "exited");
    assert.ok(Date.now() - t0 < 4000, "it did not wait out the grace");
    assert.equal(isAlive(pid), false);
  });

  test("what is no longer the one meant (isSame false) is not signalled", async () => {
    const { child } = await started(POLITE);
    try {
      const pid = child.pid ?? -1;
      assert.equal(await terminate({ pid, isSame: () => false }, { graceMs: 100 }), "exited");
      assert.equal(isAlive(pid), true);
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("an exited leader's group: its leftovers are ended, a reused id is left alone", async () => {
    // The leader starts a stubborn member of its group and exits.
    const { child, line } = await started(
      `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(STUBBORN)}], { stdio: ["ignore", "pipe", "ignore"] });
       c.stdout.once("data", () => { console.log(c.pid); process.exit(0); });`,
      true,
    );
    const member = Number(line);
    const pgid = child.pid ?? -1;
    await childTarget(child).exited;
    assert.equal(isAlive(member), true);
    assert.equal(await terminate(leftoverGroup(pgid), { graceMs: 200 }), "killed");
    await eventually(() => !isAlive(member), { what: "the leftover member ended" });

    const { child: holder } = await started(POLITE, true);
    try {
      // A live process holds the id: a group by that id would be a stranger's, never ours.
      assert.equal(signalProcess(leftoverGroup(holder.pid ?? -1), "SIGKILL"), false);
      assert.equal(isAlive(holder.pid ?? -1), true);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  test("pid 0 and below never reach process.kill (they would signal our own group)", () => {
    assert.equal(signalProcess({ pid: 0, group: true }, 0), false);
    assert.equal(signalProcess({ pid: -1 }, 0), false);
  });
});
