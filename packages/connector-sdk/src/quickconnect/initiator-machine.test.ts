// The initiator's machine on its own: no lanes, no timers — time is the `now` we pass in.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameType } from "@rtt/fabric";
import { stepInitiator } from "./initiator-machine.ts";
import { ackFor, frame, init, LANES, only, run, SYN, sent, T } from "./machine-fixtures.ts";
import { type ControlMessage, encodeControl } from "./messages.ts";

describe("initiator", () => {
  test("start: SYN out, T armed", () => {
    const { state, effects } = stepInitiator(init(), { kind: "start", now: 0 });
    assert.equal(state.phase, "syn-sent");
    assert.deepEqual(effects, [
      { kind: "send", message: { kind: "SYN", body: SYN } },
      { kind: "arm", ms: 1000 },
    ]);
  });

  test("no answer: the same SYN (same nonce, same bytes) again every T, maxRetries times, then TRIP timeout", () => {
    let s = stepInitiator(init(), { kind: "start", now: 0 }).state;
    const syns: Buffer[] = [encodeControl({ kind: "SYN", body: SYN }).payload];
    for (let i = 1; i <= T.maxRetries; i++) {
      const r = stepInitiator(s, { kind: "timer", now: i * 1000 });
      s = r.state;
      assert.equal(s.phase, "syn-sent");
      assert.deepEqual(only(r.effects, "arm"), [{ kind: "arm", ms: 1000 }]);
      for (const m of sent(r.effects)) syns.push(encodeControl(m).payload);
    }
    assert.equal(syns.length, 1 + T.maxRetries);
    for (const bytes of syns) assert.deepEqual(bytes, syns[0]);
    const last = stepInitiator(s, { kind: "timer", now: 4000 });
    assert.equal(last.state.phase, "tripped");
    const trip = {
      nonce: SYN.nonce,
      reason: "timeout",
      detail: "no answer to SYN after 4 sends, 1000 ms apart",
    } as const;
    assert.deepEqual(last.effects, [
      { kind: "disarm" },
      { kind: "send", message: { kind: "TRIP", body: trip } },
      { kind: "tripped", trip, by: "local" },
    ]);
    // Over is over: nothing moves it again.
    assert.deepEqual(stepInitiator(last.state, { kind: "timer", now: 9000 }).effects, []);
    const ack = frame({ kind: "ACK", body: ackFor() });
    assert.equal(stepInitiator(last.state, ack).state.phase, "tripped");
  });

  test("ACK → binding (host makes lanes) → BIND → READY → heartbeats", () => {
    const ack = ackFor();
    const r = run(stepInitiator, init(), [
      { kind: "start", now: 0 },
      frame({ kind: "ACK", body: ack }, 5),
    ]);
    assert.equal(r.state.phase, "binding");
    assert.deepEqual(only(r.effects, "bind"), [{ kind: "bind", ack }]);
    const b = stepInitiator(r.state, { kind: "bound", lanes: LANES, now: 6 });
    assert.equal(b.state.phase, "bind-sent");
    assert.deepEqual(sent(b.effects), [{ kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } }]);
    const ready = stepInitiator(b.state, frame({ kind: "READY", body: { nonce: SYN.nonce } }, 7));
    assert.equal(ready.state.phase, "ready");
    assert.deepEqual(ready.effects, [
      { kind: "ready", ack, bind: { nonce: SYN.nonce, lanes: LANES } },
      { kind: "send", message: { kind: "HEARTBEAT", body: { nonce: SYN.nonce, n: 1 } } },
      { kind: "arm", ms: 100 },
    ]);
    const beat = stepInitiator(ready.state, { kind: "timer", now: 107 });
    assert.deepEqual(sent(beat.effects), [{ kind: "HEARTBEAT", body: { nonce: SYN.nonce, n: 2 } }]);
  });

  test("BIND unanswered is resent unchanged, then TRIP timeout", () => {
    let s = run(stepInitiator, init(), [
      { kind: "start", now: 0 },
      frame({ kind: "ACK", body: ackFor() }),
      { kind: "bound", lanes: LANES, now: 0 },
    ]).state;
    const binds: ControlMessage[] = [];
    for (let i = 1; i <= T.maxRetries; i++) {
      const r = stepInitiator(s, { kind: "timer", now: i * 1000 });
      s = r.state;
      binds.push(...sent(r.effects));
    }
    assert.equal(binds.length, T.maxRetries);
    for (const m of binds)
      assert.deepEqual(m, { kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } });
    const last = stepInitiator(s, { kind: "timer", now: 9000 });
    assert.equal(last.state.trip?.reason, "timeout");
    assert.match(last.state.trip?.detail ?? "", /no answer to BIND after 4 sends/);
  });

  test("the lanes cannot be made: TRIP bind-failed", () => {
    const r = run(stepInitiator, init(), [
      { kind: "start", now: 0 },
      frame({ kind: "ACK", body: ackFor() }),
      { kind: "bind-failed", detail: "EMFILE", now: 1 },
    ]);
    assert.equal(r.state.trip?.reason, "bind-failed");
    assert.match(r.state.trip?.detail ?? "", /EMFILE/);
  });

  test("a TRIP from the peer ends it, with the peer's reason; one for another nonce is ignored", () => {
    const started = stepInitiator(init(), { kind: "start", now: 0 }).state;
    const other = stepInitiator(
      started,
      frame({ kind: "TRIP", body: { nonce: "someone-else", reason: "timeout", detail: "" } }),
    );
    assert.equal(other.state.phase, "syn-sent");
    const trip = { nonce: SYN.nonce, reason: "caps-missing", detail: "no json" } as const;
    const r = stepInitiator(started, frame({ kind: "TRIP", body: trip }));
    assert.equal(r.state.phase, "tripped");
    assert.deepEqual(r.effects, [{ kind: "disarm" }, { kind: "tripped", trip, by: "peer" }]);
  });

  test("stale or foreign frames are ignored; misplaced ones trip with protocol or malformed", () => {
    const started = stepInitiator(init(), { kind: "start", now: 0 }).state;
    const stale = stepInitiator(
      started,
      frame({ kind: "ACK", body: { ...ackFor(), nonce: "old-nonce-1" } }),
    );
    assert.equal(stale.state.phase, "syn-sent");
    assert.deepEqual(stale.effects, []);
    const cases: Array<[ReturnType<typeof frame>, string, RegExp]> = [
      [frame({ kind: "SYN", body: SYN }), "protocol", /the initiator received SYN/],
      [frame({ kind: "READY", body: { nonce: SYN.nonce } }), "protocol", /READY in phase syn-sent/],
      [
        { kind: "frame", type: FrameType.DATA, payload: Buffer.from("x"), now: 0 },
        "protocol",
        /frame type 1/,
      ],
      [
        { kind: "frame", type: FrameType.ACK, payload: Buffer.from("{"), now: 0 },
        "malformed",
        /not UTF-8 JSON/,
      ],
      [
        frame({ kind: "ACK", body: { ...ackFor(), lane: "tcp" } }),
        "protocol",
        /ACK picks lane kind tcp; SYN offered shm, uds/,
      ],
      [
        frame({ kind: "ACK", body: { ...ackFor(), caps: ["trace"] } }),
        "protocol",
        /ACK leaves out required caps json/,
      ],
      [
        frame({ kind: "ACK", body: { ...ackFor(), caps: ["json", "zstd"] } }),
        "protocol",
        /caps zstd that SYN did not offer/,
      ],
    ];
    for (const [input, reason, detail] of cases) {
      const r = stepInitiator(started, input);
      assert.equal(r.state.phase, "tripped", String(detail));
      assert.equal(r.state.trip?.reason, reason);
      assert.match(r.state.trip?.detail ?? "", detail);
      assert.deepEqual(sent(r.effects), [{ kind: "TRIP", body: r.state.trip }]);
    }
  });

  test("a duplicate ACK (answer to a resent SYN) changes nothing", () => {
    const ack = ackFor();
    const r = run(stepInitiator, init(), [
      { kind: "start", now: 0 },
      frame({ kind: "ACK", body: ack }),
      frame({ kind: "ACK", body: ack }),
      { kind: "bound", lanes: LANES, now: 1 },
      frame({ kind: "ACK", body: ack }),
    ]);
    assert.equal(r.state.phase, "bind-sent");
    assert.equal(only(r.effects, "bind").length, 1);
  });
});
