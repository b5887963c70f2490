/**
 * The policy's QoS on a live route, through the real binary and real processes: a temp copy of
 * the quickstart whose emit.py writes N events as fast as it can into events-to-log, with the
 * bus rule's rate far below that. `taildrop`: the logger gets fewer than N, and `rtt ls routes
 * --json` counts every missing event as a drop at the source. `buffer`: the logger gets all N,
 * in order, and emit.py is slowed to the route's pace (its stdout paused behind the buffer).
 * Counts and loose lower bounds only: a loaded machine may be slower, never faster, than a rate.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { type LinkState, quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";
import { readNdjson } from "./helpers.ts";

const { ws, use } = quickstartSuite(afterEach);

/** The logger's records: emit.py's seq and send time. */
function logged(): { seq: number; ts_ms: number }[] {
  return readNdjson<{ record: { seq: number; ts_ms: number } }>(
    ws().path("logs", "events.ndjson"),
  ).map((l) => l.record);
}

/** The route's source end, from `rtt ls routes --json`, once it is wired. */
async function sourceLink(): Promise<LinkState | undefined> {
  return (await ws().wiredRoute("events-to-log"))?.from_link;
}

/** The quickstart with one route, events-to-log, emit.py sending `n` events `intervalMs` apart. */
async function wire(n: number, intervalMs: number, qos: Record<string, unknown>): Promise<void> {
  use({
    emit: { count: n, intervalMs },
    routes: ["events-to-log"],
    policy: (policy) => {
      policy.qos = [{ match: "rtt://core/bus/*", prio: 0, ...qos }];
    },
  });
  await scanAndApply(ws());
}

describe("a route's QoS on the data path (rate, drop)", () => {
  it("taildrop at 200/s: the logger gets fewer than emitted, each missing one counted as a drop", async (t) => {
    // 1 ms apart: emit.py runs for seconds (so `rtt tap` sees drops in its window) at several
    // times the rate.
    const n = 3000;
    await wire(n, 1, { rate: 200, burst: 20, drop: "taildrop" });
    const tapped = await eventually(async () => {
      const [sample] = await ws().tap("events-to-log", 1);
      return sample !== undefined && sample.drops > 0 ? sample.drops : undefined;
    }, ws().wait("rtt tap to show drops"));
    // Every event emit.py wrote is accounted for at the source: sent or dropped.
    const link = await eventually(async () => {
      const l = await sourceLink();
      return l !== undefined && l.frames_out + l.drops === n ? l : undefined;
    }, ws().wait("every event sent or dropped"));
    await eventually(
      () => logged().length >= link.frames_out,
      ws().wait("the logger to have what was sent"),
    );
    const got = logged();
    assert.equal(got.length, link.frames_out);
    assert.ok(link.drops > 0, "a full-speed emit.py outruns 200/s");
    assert.equal(got.length + link.drops, n, "received + drops = emitted");
    assert.ok(got.length >= 20, `at least the burst arrives (${got.length})`);
    for (let i = 1; i < got.length; i++)
      assert.ok((got[i]?.seq ?? 0) > (got[i - 1]?.seq ?? 0), "in order");
    assert.equal(link.marked + link.nacked + link.buffered, 0);
    t.diagnostic(`${got.length} of ${n} arrived, ${link.drops} dropped; tap saw ${tapped} drops`);
  });

  it("buffer at 1000/s: nothing is lost, in order, and emit.py is slowed to the route's pace", async (t) => {
    const n = 6000;
    await wire(n, 0, { rate: 1000, burst: 50, drop: "buffer", buffer: 64 });
    await eventually(() => logged().length >= n, ws().wait("all events at the logger"));
    const got = logged();
    assert.deepEqual(
      got.map((r) => r.seq),
      Array.from({ length: n }, (_, i) => i + 1),
    );
    // The counters are the panel's last health sample of the link, which may predate the last
    // frames: wait for one that has counted them all (a miscount never gets there).
    const link = await eventually(async () => {
      const l = await sourceLink();
      return l !== undefined && l.frames_out + l.drops >= n ? l : undefined;
    }, ws().wait("a health sample that counted every event"));
    assert.equal(link.drops, 0);
    assert.equal(link.frames_out, n);
    // Unthrottled, emit.py writes 6000 events in well under 0.5 s. Held to 1000/s, it can run
    // ahead only by what the buffer, the driver's stdout queue (1024) and the pipe hold, so its
    // last event is written seconds after its first.
    const spread = (got.at(-1)?.ts_ms ?? 0) - (got[0]?.ts_ms ?? 0);
    assert.ok(spread >= 1500, `emit.py wrote ${n} events over ${spread} ms`);
    t.diagnostic(`emit.py wrote ${n} events over ${spread} ms`);
  });
});
