import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FakeClock } from "../clock.ts";
import { RestartPacer, restartPolicy } from "./restart-pacer.ts";

function supervisor(policy: Parameters<typeof restartPolicy>[0], clock = new FakeClock()) {
  const resolved = restartPolicy(policy);
  assert.ok(resolved !== false);
  return new RestartPacer(resolved, clock, () => 0);
}

describe("restart supervision", () => {
  test("defaults: never gives up, a 10 s run starts over; false: no restarts", () => {
    const policy = restartPolicy({ baseMs: 100 });
    assert.ok(policy !== false);
    assert.equal(policy.baseMs, 100);
    assert.equal(policy.maxRestarts, Number.POSITIVE_INFINITY);
    assert.equal(policy.resetAfterMs, 10_000);
    assert.equal(restartPolicy(false), false);
  });

  test("restarts in a row back off, numbered from 1, until maxRestarts", () => {
    const s = supervisor({ baseMs: 100, maxMs: 1000, maxRestarts: 3 });
    assert.deepEqual(s.next(), { attempt: 1, delayMs: 50 });
    s.crashed(10);
    assert.deepEqual(s.next(), { attempt: 2, delayMs: 100 });
    assert.deepEqual(s.next(), { attempt: 3, delayMs: 200 });
    assert.equal(s.next(), undefined, "gives up");
    assert.equal(s.restarts, 3);
  });

  test("a run of resetAfterMs or more starts the backoff over; a shorter one does not", () => {
    const s = supervisor({ baseMs: 100, maxMs: 1000, resetAfterMs: 500 });
    s.next();
    s.next();
    s.crashed(499);
    assert.deepEqual(s.next(), { attempt: 3, delayMs: 200 });
    s.crashed(500);
    assert.deepEqual(s.next(), { attempt: 1, delayMs: 50 });
  });

  test("the restart runs once its delay has passed on the clock, unless cancelled", () => {
    const clock = new FakeClock();
    const s = supervisor({ baseMs: 100, maxMs: 1000 }, clock);
    let runs = 0;
    const planned = s.next();
    assert.ok(planned !== undefined);
    s.schedule(planned, () => runs++);
    clock.advance(49);
    assert.equal(runs, 0);
    clock.advance(1);
    assert.equal(runs, 1);
    s.schedule(planned, () => runs++);
    s.cancel();
    clock.advance(1000);
    assert.equal(runs, 1);
    assert.equal(clock.pending, 0);
  });
});
