/**
 * A successor adopts a program only when it was started with the launch it is to run now
 * (program.ts, ADR 0016), with real processes: a program left running in a state directory (a
 * detached close, as when the other end's driver died) is adopted by an endpoint with the same
 * argv; one with another argv — or a record that does not say its launch — ends it and starts
 * its own, and says so in one log line naming both launches.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isAlive } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { ProcessEndpoint } from "./process-endpoint.ts";
import { commandLaunchHash, type ProgramCommand } from "./program.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-launch-adopt-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Says `name` once, then stays alive to be adopted (or not). */
const says = (name: string): ProgramCommand => ({
  command: "sh",
  args: ["-c", `echo ${name}; exec sleep 3600`],
});

function endpoint(cmd: ProgramCommand, stateDir: string, logged: string[] = []): ProcessEndpoint {
  return new ProcessEndpoint({
    ...cmd,
    framing: "lines",
    stateDir,
    killGraceMs: 500,
    log: (line) => logged.push(line),
  });
}

async function firstLine(p: ProcessEndpoint): Promise<string> {
  const next = await p.messages()[Symbol.asyncIterator]().next();
  return Buffer.from(next.value?.payload ?? []).toString();
}

/** Whether any process of the group `pgid` lives (the program under its waiter, too). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `says(name)` in `stateDir` and leaves it running, released: what a successor finds. */
async function leftRunning(name: string, stateDir: string): Promise<number> {
  const a = endpoint(says(name), stateDir);
  a.start();
  assert.equal(await firstLine(a), name);
  const pid = a.health().pid;
  await a.close({ detach: true });
  assert.ok(pid !== undefined && isAlive(pid), "left running");
  return pid;
}

describe("adoption only on the planned launch", () => {
  it("the same launch is adopted", async () => {
    const stateDir = join(root, "same", "source");
    const pid = await leftRunning("A", stateDir);
    const logged: string[] = [];
    const b = endpoint(says("A"), stateDir, logged);
    b.start();
    assert.equal(b.health().pid, pid, "adopted");
    assert.match(logged.join("\n"), new RegExp(`adopted the running program \\(pid ${pid}\\)`));
    await b.close();
    assert.equal(isAlive(pid), false);
  });

  it("another launch ends the old program and starts the planned one, logged with both hashes", async () => {
    const stateDir = join(root, "edited", "source");
    const old = await leftRunning("A", stateDir);
    const logged: string[] = [];
    const b = endpoint(says("B"), stateDir, logged);
    b.start();
    assert.notEqual(b.health().pid, old, "not adopted");
    assert.equal(await firstLine(b), "B", "the planned program runs");
    await eventually(() => !groupAlive(old), {
      what: `the old program's group (${old}) to end`,
      timeoutMs: 10_000,
    });
    const line = `sh: the running program (pid ${old}) was started with launch ${commandLaunchHash(says("A"))}, not the planned ${commandLaunchHash(says("B"))}: ending it, starting the planned one`;
    assert.ok(logged.includes(line), logged.join("\n"));
    assert.doesNotMatch(logged.join("\n"), /adopted/);
    const record = JSON.parse(readFileSync(join(stateDir, "program.json"), "utf8"));
    assert.equal(record.launch, commandLaunchHash(says("B")), "the new program's launch recorded");
    const pid = b.health().pid;
    await b.close();
    assert.ok(pid !== undefined);
    // Its group's last member (the sleep, orphaned when the waiter went) is reaped by init.
    await eventually(() => !groupAlive(pid), { what: "the new program's group to end" });
  });

  it("a record that does not say its launch (an older driver's) is not adopted", async () => {
    const stateDir = join(root, "older", "source");
    const old = await leftRunning("A", stateDir);
    const file = join(stateDir, "program.json");
    const { launch: _dropped, ...older } = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify(older));
    const logged: string[] = [];
    const b = endpoint(says("A"), stateDir, logged);
    b.start();
    assert.notEqual(b.health().pid, old, "not adopted");
    assert.equal(await firstLine(b), "A");
    await eventually(() => !groupAlive(old), {
      what: `the old program's group (${old}) to end`,
      timeoutMs: 10_000,
    });
    assert.match(logged.join("\n"), /started with launch \(not recorded\), not the planned/);
    await b.close();
  });

  it("the launch covers the argv, the folder and the environment the driver spawns with", () => {
    const base: ProgramCommand = { command: "node", args: ["a.mjs"], cwd: "/ws/svc" };
    const hash = commandLaunchHash(base);
    assert.equal(commandLaunchHash({ ...base }), hash);
    assert.match(hash, /^[0-9a-f]{64}$/);
    for (const changed of [
      { ...base, args: ["b.mjs"] },
      { ...base, command: "bun" },
      { ...base, cwd: "/ws/other" },
      { ...base, env: { MODE: "x" } },
      { ...base, args: [], command: "node a.mjs" },
    ])
      assert.notEqual(commandLaunchHash(changed), hash, JSON.stringify(changed));
    // A relative folder is the one it resolves to: the same program, the same launch.
    assert.equal(
      commandLaunchHash({ command: "node", args: ["a.mjs"], cwd: "." }),
      commandLaunchHash({ command: "node", args: ["a.mjs"], cwd: process.cwd() }),
    );
  });
});
