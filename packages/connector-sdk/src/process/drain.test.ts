import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { describe, test } from "node:test";
import { drain } from "./drain.ts";
import { childTarget } from "./terminate.ts";

/** A node process running `script` with its stdin on a pipe, once it has printed "ready". */
async function started(script: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", script], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
  return child;
}

/** Reads stdin to its end, then exits 0: a consumer that finishes on EOF. */
const FINISHES_ON_EOF =
  "process.stdin.resume(); process.stdin.on('end', () => process.exit(0)); console.log('ready')";
/** Ignores EOF, exits on SIGTERM. */
const NEEDS_TERM = "process.stdin.resume(); console.log('ready'); setInterval(() => {}, 1000)";
/** Ignores EOF and SIGTERM alike. */
const STUBBORN =
  "process.on('SIGTERM', () => {}); process.stdin.resume(); console.log('ready'); setInterval(() => {}, 1000)";

describe("drain: EOF, time to finish, then TERM, then KILL", () => {
  test("a program that exits on EOF within the drain time exits by itself: no signal", async () => {
    const child = await started(FINISHES_ON_EOF);
    const steps: string[] = [];
    const ended = await drain(childTarget(child), {
      closeInput: () => {
        steps.push("eof");
        child.stdin?.end();
      },
      drainMs: 30_000,
      graceMs: 30_000,
      onTerm: () => steps.push("term"),
      onKill: () => steps.push("kill"),
    });
    assert.equal(ended, "exited");
    assert.deepEqual(steps, ["eof"]);
    assert.equal(child.exitCode, 0);
    assert.equal(child.signalCode, null);
  });

  test("one that runs on after EOF gets SIGTERM once the drain time is out", async () => {
    const child = await started(NEEDS_TERM);
    const steps: string[] = [];
    const ended = await drain(childTarget(child), {
      closeInput: () => child.stdin?.end(),
      drainMs: 100,
      graceMs: 30_000,
      onTerm: () => steps.push("term"),
      onKill: () => steps.push("kill"),
    });
    assert.equal(ended, "terminated");
    assert.deepEqual(steps, ["term"]);
    assert.equal(child.signalCode, "SIGTERM");
  });

  test("one that ignores SIGTERM too is killed after the grace", async () => {
    const child = await started(STUBBORN);
    const steps: string[] = [];
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const ended = await drain(childTarget(child), {
      closeInput: () => child.stdin?.end(),
      drainMs: 100,
      graceMs: 200,
      onTerm: () => steps.push("term"),
      onKill: () => steps.push("kill"),
    });
    assert.equal(ended, "killed");
    assert.deepEqual(steps, ["term", "kill"]);
    await exited;
    assert.equal(child.signalCode, "SIGKILL");
  });
});
