import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  isAlive,
  isProcessRef,
  ownStartTime,
  parseProcStat,
  processRef,
  readProcStat,
  sameProcess,
} from "./process-identity.ts";

function statLine(pid: number, comm: string, state: string, ppid: number, start: string): string {
  // Fields 4..52 as the kernel prints them; field 22 (index 19 after the name) is the start.
  const tail = Array.from({ length: 49 }, (_, i) => (i === 18 ? start : String(i * 7)));
  tail[0] = String(ppid);
  return `${pid} (${comm}) ${state} ${tail.join(" ")}\n`;
}

describe("/proc/<pid>/stat", () => {
  test("reads pid, name, state, ppid and start time of a real line", () => {
    const s = parseProcStat(
      "4242 (node) S 4000 4242 4000 0 -1 4194560 1234 0 0 0 10 2 0 0 20 0 11 0 98765 123456 789 18446744073709551615 1 1 0 0 0 0 0 16781312 134235650 0 0 0 17 1 0 0 0 0 0\n",
    );
    assert.deepEqual(s, { pid: 4242, comm: "node", state: "S", ppid: 4000, startTime: "98765" });
  });

  test("a name with spaces and parentheses does not shift the fields", () => {
    const s = parseProcStat(statLine(7, "a) b (c) Z 1", "R", 3, "555"));
    assert.equal(s.comm, "a) b (c) Z 1");
    assert.equal(s.state, "R");
    assert.equal(s.startTime, "555");
  });

  test("property: any name, any start time", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4_194_304 }),
        fc.string({ maxLength: 15 }),
        fc.constantFrom("R", "S", "D", "Z", "T", "I"),
        fc.integer({ min: 0, max: 4_194_304 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
        (pid, comm, state, ppid, start) => {
          assert.deepEqual(parseProcStat(statLine(pid, comm, state, ppid, start)), {
            pid,
            comm,
            state,
            ppid,
            startTime: start,
          });
        },
      ),
    );
  });

  test("property: garbage fails with RTT_ERR_DRIVER_IDENTITY, never anything else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (t) => {
        try {
          parseProcStat(t);
        } catch (e) {
          assert.ok(e instanceof RttError && e.code === "RTT_ERR_DRIVER_IDENTITY");
        }
      }),
    );
  });

  test("this process: alive, and its start time is what /proc says", {
    skip: process.platform !== "linux",
  }, () => {
    assert.equal(ownStartTime(), readProcStat(process.pid)?.startTime);
    assert.notEqual(ownStartTime(), "0");
    assert.equal(isAlive(process.pid), true);
    assert.equal(isAlive(2 ** 22 + 1), false);
  });
});

describe("sameProcess", () => {
  const linux = { skip: process.platform !== "linux" };

  test("this process is itself; another start time is a later holder of the pid", linux, () => {
    const self = processRef("self");
    assert.deepEqual(self, { pid: process.pid, startTime: ownStartTime() });
    assert.equal(sameProcess(self), true);
    assert.equal(sameProcess({ ...self, startTime: "1" }), false);
    assert.equal(sameProcess({ ...self, startTime: "1" }, { trustUnknownStart: true }), false);
  });

  test(
    "an unknown start time (0) is never the process, unless the caller trusts a live pid",
    linux,
    () => {
      const unknown = { pid: process.pid, startTime: "0" };
      assert.equal(sameProcess(unknown), false);
      assert.equal(sameProcess(unknown, { trustUnknownStart: true }), true);
    },
  );

  test("a pid that is not running is nobody, however it is asked", () => {
    const none = { pid: 2 ** 22 + 1, startTime: "0" };
    assert.equal(sameProcess(none), false);
    assert.equal(sameProcess(none, { trustUnknownStart: true }), false);
    assert.deepEqual(processRef(none.pid), none);
  });

  test("a ProcessRef read back from JSON: a safe integer pid and a start time in text", () => {
    assert.equal(isProcessRef({ pid: 42, startTime: "98765" }), true);
    for (const bad of [
      null,
      42,
      { pid: 42 },
      { pid: "42", startTime: "1" },
      { pid: 1.5, startTime: "1" },
    ])
      assert.equal(isProcessRef(bad), false, JSON.stringify(bad));
  });
});
