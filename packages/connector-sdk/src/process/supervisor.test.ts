import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "../process-identity.ts";
import { exitOfChild } from "./program-exit.ts";
import { type SupervisedProgram, Supervisor, type SupervisorOptions } from "./supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-supervisor-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real program, `sh -c script`, in its own process group (as every supervised one runs). */
function sh(script: string): SupervisedProgram {
  const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  return { pid: child.pid, exited: exitOfChild(child) };
}

function supervise(
  script: string,
  options: Partial<SupervisorOptions<SupervisedProgram>> = {},
): Supervisor<SupervisedProgram> {
  return new Supervisor({ name: "sh", launch: () => sh(script), random: () => 1, ...options });
}

/** Exited: no process, or a zombie (isAlive takes a zombie for gone). */
const gone = (pid: number): boolean => !isAlive(pid);

/** A script that starts `sleep 30` in its group, writes its pid to a file, then runs `rest`. */
function withBackgroundChild(name: string, rest: string): { script: string; child: () => number } {
  const file = join(dir, name);
  return {
    script: `sleep 30 & echo $! > ${file}; ${rest}`,
    child: () => Number(readFileSync(file, "utf8")),
  };
}

describe("supervisor", () => {
  test("a crash is respawned after the backoff under on-failure; a clean exit is not", async () => {
    const marker = join(dir, "crashed-once");
    const s = supervise(`if [ -e ${marker} ]; then exit 0; fi; touch ${marker}; exit 3`, {
      respawn: "on-failure",
      backoff: { baseMs: 20, maxMs: 20 },
    });
    const restarts: number[] = [];
    s.on("restart", (n) => restarts.push(n));
    const idle = new Promise<void>((resolve) => s.once("idle", resolve));
    s.start();
    await idle;
    assert.deepEqual(restarts, [1]);
    const health = s.health();
    assert.equal(health.restarts, 1);
    assert.deepEqual(health.lastExit, { code: 0, signal: null });
    assert.equal(health.err, "exited with code 3", "the crash is still the last thing wrong");
    assert.equal(health.ok, true, "a program that finished with 0 is done, not down");
    assert.equal(s.done, true);
  });

  test("a program that cannot start is reported, not respawned", async () => {
    const s = new Supervisor({
      name: "/nonexistent/rtt-program",
      launch: () => {
        const child = spawn("/nonexistent/rtt-program", [], { detached: true, stdio: "ignore" });
        return { pid: child.pid, exited: exitOfChild(child) };
      },
      respawn: "always",
    });
    const idle = new Promise<void>((resolve) => s.once("idle", resolve));
    s.start();
    await idle;
    assert.equal(s.health().ok, false);
    assert.match(s.health().err ?? "", /^cannot start \/nonexistent\/rtt-program: .*ENOENT/);
    assert.equal(s.health().restarts, 0);
    assert.equal(s.respawning, undefined);
  });

  test("a respawn that cannot start is an error in health, not thrown out of its timer", async () => {
    let launches = 0;
    const s = supervise("exit 1", {
      respawn: "always",
      backoff: { baseMs: 10, maxMs: 10 },
      launch: () => {
        if (++launches > 1) throw new Error("no more");
        return sh("exit 1");
      },
    });
    s.start();
    await eventually(() => s.health().err?.startsWith("cannot start sh again"), {
      what: "the failed respawn reported",
    });
    assert.equal(s.health().err, "cannot start sh again: no more");
    assert.deepEqual(s.health().lastExit, { code: null, signal: null });
    assert.equal(s.current, undefined);
  });

  test("a program its `started` hook refuses is killed, and start throws", async () => {
    let pid: number | undefined;
    const s = supervise("sleep 30", {
      started: (program) => {
        pid = program.pid;
        throw new Error("cannot wire it");
      },
    });
    assert.throws(() => s.start(), /cannot wire it/);
    assert.equal(s.current, undefined);
    await eventually(() => pid !== undefined && gone(pid), { what: "the refused program killed" });
  });

  test("a due respawn waits for beforeRespawn, and stopRespawning drops it", async () => {
    let release: () => void = () => {};
    const s = supervise("exit 1", {
      respawn: "always",
      backoff: { baseMs: 10, maxMs: 10 },
      beforeRespawn: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    });
    let restarted = false;
    s.on("restart", () => {
      restarted = true;
    });
    s.start();
    await eventually(() => s.respawning !== undefined, { what: "a respawn due" });
    const due = s.respawning;
    s.stopRespawning();
    await due;
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(restarted, false);
    assert.equal(s.current, undefined);
    assert.equal(s.done, true);
  });

  test("stop ends the program's whole group and waits for it", async () => {
    const { script, child } = withBackgroundChild("stop", "wait");
    const s = supervise(script);
    const pid = s.start().pid ?? -1;
    const grandchild = await eventually(() => existsSync(join(dir, "stop")) && child(), {
      what: "the background child started",
    });
    await s.stop();
    assert.equal(gone(pid), true);
    await eventually(() => gone(grandchild), { what: "its background child ended" });
    assert.equal(s.health().err, undefined, "an exit on stop is no failure");
  });

  test("what an exited program left in its group ends at exit, or (kill-at-stop) at stop", async () => {
    const atExit = withBackgroundChild("at-exit", "exit 0");
    const s = supervise(atExit.script, { killGraceMs: 200 });
    const exited = new Promise((resolve) => s.once("exit", resolve));
    s.start();
    await exited;
    await eventually(() => gone(atExit.child()), { what: "the leftover ended at exit" });

    const atStop = withBackgroundChild("at-stop", "exit 0");
    const k = supervise(atStop.script, { leftovers: "kill-at-stop" });
    const kExited = new Promise((resolve) => k.once("exit", resolve));
    k.start();
    await kExited;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(gone(atStop.child()), false, "left until stop");
    await k.stop();
    await eventually(() => gone(atStop.child()), { what: "the leftover killed at stop" });
  });
});
