/**
 * The fault suite (docs/design.md §The life of a route: recover), with real processes through the
 * real `rtt` binary on temp copies of examples/quickstart, emit.py streaming as fast as it can.
 * One file per case:
 *
 *   1. driver-kill.test.ts: kill -9 the `process` driver under load: the panel restarts it and
 *      rewires its routes; the programs of the journaled `buffer` route outlive the driver and
 *      the new one adopts them; every message the source program handed over before (and while)
 *      the driver was dead reaches the logger, in order, at most one twice; nothing is left after
 *      stop.
 *  1c. fan-out-driver-kill.test.ts: the same kill under one bus program feeding two journaled
 *      routes (ADR 0025) with one logger stopped: the route reopening second still gets its own
 *      backlog and the stream since its journal ended; both loggers have every seq, no gap.
 *  1b. target-driver-kill.test.ts: the same route with its target in another driver (a file
 *      sink), and that driver killed: the panel closes the surviving source end *detached* (its
 *      program runs on), the rewire adopts the same emit.py, and nothing is lost at the sink.
 *   2. panel-kill.test.ts: kill -9 the panel under load: the data keeps flowing over the lanes
 *      with no panel, `rtt panel start` re-attaches the same drivers without rewiring, traffic
 *      continues.
 *   3. slow-consumer.test.ts: a slow consumer (one line every 10 ms): the route stays up and in
 *      order; the drivers' memory and the route's qdepth stay bounded (backpressure reaches the
 *      source program).
 *   4. corrupt-sockets.test.ts: garbage on the sockets of a uds route (driver and panel gRPC
 *      sockets, and the lane sockets while the route is wired): the panel survives and the route
 *      recovers.
 *   5. clock-jump.test.ts: a wall-clock jump (unit level, RouteHealth): with an injected clock,
 *      what a jump does to the breakers and their backoff; with the daemon's own clock, a
 *      Date.now jump does nothing.
 *   6. relaunch.test.ts: kill -9 the panel and its drivers while a journaled route's programs
 *      run on: the restart adopts only a program started with the launch it is to run (an
 *      x-run edited meanwhile goes through plan/apply, the old logger is gone; a record that
 *      does not say its launch, or a program in the folder the workspace was moved from, is
 *      ended and started anew).
 *   7. wal-disk-full.test.ts: `.rtt/wal`, then `.rtt/audit`, on a small tmpfs filled to ENOSPC:
 *      a commit fails cleanly and changes nothing, the panel still stops, freeing space lets the
 *      next commit through; a torn WAL record or ledger line makes `rtt panel start` name
 *      `--salvage`, which recovers it (issue 15, finding 6).
 *   8. qc-crash.test.ts: kill -9 the panel at random moments during a stream of `rtt qc` flips,
 *      30 rounds on one workspace: after each `panel start` the WAL commits the target the
 *      events flow to (the drivers' wiring adopted over a lost commit, ADR 0030) and `rtt audit
 *      --verify` passes; every event reached exactly one of the two loggers.
 *   9. qc-burst.test.ts: bursts of back-to-back `rtt qc` flips (no gap): a target link that a
 *      newer link of its end superseded while it drained (its program went to that one) is not
 *      kept as a warm spare; after each burst the events reach the last flip's target, and every
 *      event reached exactly one of the two loggers.
 *
 * The cases work on a Workspace of test/support/quickstart-workspace.ts (a temp copy of the
 * quickstart run by the real `rtt`, the processes its panel starts, `cleanup()`); the stream they
 * run under and the checks on what arrived are in stream.ts; this module has what only they
 * measure.
 */
import { readFileSync } from "node:fs";

/** Resident set size of `pid` in KiB (/proc/<pid>/status VmRSS), undefined once it is gone. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}
