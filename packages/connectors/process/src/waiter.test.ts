/**
 * The `sh` waiter a program in a state directory runs under (program.ts, WAITER): ending its
 * input (SIGUSR1 to the waiter) must never show up as the program's status. Its trap interrupts
 * the waiter's `wait`, which then returns 138 while the program — given EOF by that very trap —
 * may already be gone: a `cat` that exited 0 was reported as exit 138 now and then, more often
 * under load. Many programs drained side by side make that window likely enough to see.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { endInput, launch, type ProgramCommand } from "./program.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-waiter-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** Starts `cmd` in a fresh state directory, ends its input at once, resolves with its exit. */
async function drained(cmd: ProgramCommand) {
  const stateDir = join(root, `state-${dirs++}`);
  const program = launch(cmd, { stateDir, first: false }, () => {});
  endInput(program);
  const exit = await program.exited;
  return { exit, recorded: readFileSync(join(stateDir, "exit-status"), "utf8").trim() };
}

describe("the waiter of a program in a state directory", () => {
  it("reports a program that exits 0 at EOF as exit 0, however the trap and its exit interleave", async () => {
    const rounds = 25;
    const side = 8; // programs drained at once: their waiters compete for the CPU
    const codes = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
      const exits = await Promise.all(
        Array.from({ length: side }, () => drained({ command: "cat", args: [] })),
      );
      for (const { exit, recorded } of exits) {
        const key = `code ${exit.code} signal ${exit.signal} recorded ${recorded}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
      }
    }
    assert.deepEqual([...codes], [["code 0 signal null recorded 0", rounds * side]]);
  });

  it("passes the program's own status on, recorded for a successor too", async () => {
    const { exit, recorded } = await drained({
      command: "sh",
      args: ["-c", "cat > /dev/null; exit 7"],
    });
    assert.deepEqual(
      { code: exit.code, signal: exit.signal, recorded },
      {
        code: 7,
        signal: null,
        recorded: "7",
      },
    );
  });

  it("reports a program killed by a signal as 128 + n", async () => {
    const { exit, recorded } = await drained({
      command: "sh",
      args: ["-c", "cat > /dev/null; kill -TERM $$"],
    });
    assert.deepEqual({ code: exit.code, recorded }, { code: 143, recorded: "143" });
  });
});
