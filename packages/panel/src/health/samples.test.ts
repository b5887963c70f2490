import assert from "node:assert/strict";
import { test } from "node:test";
import { parseHealthExpr } from "@rtt/core";
import fc from "fast-check";
import { sloViolation } from "./breaker.ts";
import { type HealthInput, percentile, RouteSamples, sloObservation } from "./samples.ts";

const T0 = 1_700_000_000_000;
const base: HealthInput = {
  ok: true,
  lag_ms: 0,
  err: "",
  qdepth: 0,
  frames_in: 0,
  frames_out: 0,
};

test("percentiles are exact nearest-rank over the window's latencies", () => {
  const r = new RouteSamples({ windowMs: 10_000 });
  const lats = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
  r.add({ ...base, latencies_ms: lats }, T0);
  const s = r.stats(T0);
  assert.equal(s.p50_ms, 50);
  assert.equal(s.p95_ms, 95);
  assert.equal(s.p99_ms, 99);
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([7], 1), 7);
});

test("without per-frame latencies, lag_ms is the latency; old values leave the window", () => {
  const r = new RouteSamples({ windowMs: 1000 });
  r.add({ ...base, lag_ms: 40 }, T0);
  r.add({ ...base, lag_ms: 2 }, T0 + 600);
  assert.equal(r.stats(T0 + 600).p99_ms, 40);
  assert.equal(r.stats(T0 + 1000).p99_ms, 2);
  assert.equal(r.stats(T0 + 1600).p99_ms, undefined);
  assert.equal(r.stats(T0 + 1600).samples, 0);
});

test("the latency ring keeps only the most recent values", () => {
  const r = new RouteSamples({ latencyCapacity: 4 });
  r.add({ ...base, latencies_ms: [100, 100, 100, 100] }, T0);
  r.add({ ...base, latencies_ms: [1, 2, 3] }, T0 + 1);
  assert.equal(r.stats(T0 + 1).p99_ms, 100);
  assert.equal(r.stats(T0 + 1).p50_ms, 2);
  r.add({ ...base, latencies_ms: [4] }, T0 + 2);
  assert.equal(r.stats(T0 + 2).p99_ms, 4);
});

test("throughput and error rate from counter deltas; a counter reset counts from zero", () => {
  const r = new RouteSamples({ windowMs: 10_000 });
  r.add({ ...base, frames_in: 1000, frames_out: 1000 }, T0); // baseline, no delta
  r.add({ ...base, frames_in: 1500, frames_out: 1500 }, T0 + 1000);
  r.add({ ...base, ok: false, err: "nack", frames_in: 2000, frames_out: 1990 }, T0 + 2000);
  let s = r.stats(T0 + 2000);
  assert.equal(s.frames, 1000);
  assert.equal(s.errors, 1);
  assert.equal(s.err_rate, 0.001);
  assert.equal(s.throughput, 495); // 990 frames in 2 s
  assert.equal(s.ok, false);
  assert.equal(s.err, "nack");
  r.add({ ...base, frames_in: 100, frames_out: 100, errors: 10 }, T0 + 3000); // driver restarted
  s = r.stats(T0 + 3000);
  assert.equal(s.frames, 1100);
  assert.equal(s.errors, 11);
  assert.equal(s.err_rate, 11 / 1100);
});

test("errors without frames are rate 1; drops and queue depth", () => {
  const r = new RouteSamples();
  r.add({ ...base, ok: false, err: "down", drops: 5 }, T0);
  assert.equal(r.stats(T0).err_rate, 1);
  r.add({ ...base, qdepth: 17, drops: 12 }, T0 + 250);
  const s = r.stats(T0 + 250);
  assert.equal(s.drops, 7);
  assert.equal(s.qdepth, 17);
});

test("history keeps the last 60 points, oldest first", () => {
  const r = new RouteSamples();
  for (let i = 0; i < 100; i++)
    r.add({ ...base, frames_out: i * 10, qdepth: i, lag_ms: i }, T0 + i * 1000);
  const h = r.history();
  assert.equal(h.length, 60);
  assert.equal(h[0]?.at, T0 + 40_000);
  assert.equal(h[59]?.qdepth, 99);
  assert.equal(h[59]?.fps, 10);
  assert.equal(h[59]?.latency_ms, 99);
});

test("sloObservation feeds the breaker's health bounds", () => {
  const r = new RouteSamples();
  r.add({ ...base, latencies_ms: [7.2], frames_in: 0 }, T0);
  const bounds = parseHealthExpr("p95<5ms,err<0.1%");
  assert.equal(sloViolation(bounds, sloObservation(r.stats(T0))), "p95 7.2 ms > 5 ms");
  const empty = new RouteSamples();
  assert.deepEqual(sloObservation(empty.stats(T0)), { err: 0, lag: 0 });
});

test("options are checked", () => {
  assert.throws(() => new RouteSamples({ latencyCapacity: 1000 }), RangeError);
  assert.throws(() => new RouteSamples({ windowMs: 0 }), RangeError);
});

const sampleArb: fc.Arbitrary<HealthInput & { dt: number }> = fc.record({
  dt: fc.integer({ min: 0, max: 3000 }),
  ok: fc.boolean(),
  lag_ms: fc.double({ min: 0, max: 1000, noNaN: true }),
  err: fc.constant(""),
  qdepth: fc.nat(100),
  frames_in: fc.nat(1_000_000),
  frames_out: fc.nat(1_000_000),
  latencies_ms: fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { maxLength: 20 }),
  errors: fc.nat(50),
});

test("property: p50 ≤ p95 ≤ p99, error rate in [0, 1], throughput and history bounded", () => {
  fc.assert(
    fc.property(fc.array(sampleArb, { minLength: 1, maxLength: 80 }), (samples) => {
      const r = new RouteSamples({ windowMs: 5000, latencyCapacity: 64 });
      let now = T0;
      for (const s of samples) {
        now += s.dt;
        r.add(s, now);
        const st = r.stats(now);
        assert.ok(st.err_rate >= 0 && st.err_rate <= 1);
        assert.ok(st.throughput >= 0 && Number.isFinite(st.throughput));
        assert.ok(st.samples >= 1);
        const { p50_ms: a, p95_ms: b, p99_ms: c } = st;
        assert.ok(a !== undefined && b !== undefined && c !== undefined);
        assert.ok(a <= b && b <= c);
      }
      assert.ok(r.history().length <= 60);
    }),
  );
});
