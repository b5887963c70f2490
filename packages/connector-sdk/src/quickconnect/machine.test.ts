// The handshake machines on their own: no lanes, no timers — time is the `now` we pass in.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameType, type LaneAddress } from "@rtt/fabric";
import fc from "fast-check";
import {
  type InitiatorInput,
  type InitiatorState,
  initialInitiator,
  stepInitiator,
} from "./initiator-machine.ts";
import { DEFAULT_TIMINGS, type Effect, type Step, type Timings } from "./machine.ts";
import { type ControlMessage, encodeControl, parseControl, type Syn } from "./messages.ts";
import {
  initialResponder,
  type ResponderInput,
  type ResponderPolicy,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";

const HASH = "c".repeat(64);
const SYN: Syn = {
  nonce: "nonce-0001",
  saddr: "rtt://app/api/source@1.0.0",
  contract_hash: HASH,
  caps: ["json", "gzip", "trace"],
  require: ["json"],
  lanes: ["shm", "uds"],
  max_frame: 65536,
  heartbeat_ms: 100,
};
const POLICY: ResponderPolicy = {
  contractHash: HASH,
  caps: ["json", "trace", "zstd"],
  require: [],
  lanes: ["uds", "shm", "tcp"],
  capacity: 1 << 20,
  maxFrame: 4096,
  minHeartbeatMs: 10,
};
const T: Timings = { answerTimeoutMs: 1000, maxRetries: 3, missedHeartbeats: 3 };
const LANES: LaneAddress[] = [
  { kind: "shm", segment: "rtt-1", path: "/tmp/a.sock", capacity: 1 << 20 },
  { kind: "shm", segment: "rtt-2", path: "/tmp/b.sock", capacity: 1 << 20 },
];

/** A control frame as the peer would write it. */
function frame(
  m: ControlMessage,
  now = 0,
): { kind: "frame"; type: number; payload: Buffer; now: number } {
  const { type, payload } = encodeControl(m);
  return { kind: "frame", type, payload, now };
}

function sent(effects: readonly Effect[]): ControlMessage[] {
  return effects.flatMap((e) => (e.kind === "send" ? [e.message] : []));
}

function only(effects: readonly Effect[], kind: Effect["kind"]): Effect[] {
  return effects.filter((e) => e.kind === kind);
}

function run<S, I>(
  step: (s: S, i: I) => Step<S>,
  s: S,
  inputs: I[],
): { state: S; effects: Effect[] } {
  let state = s;
  const effects: Effect[] = [];
  for (const input of inputs) {
    const r = step(state, input);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

const init = (timings: Timings = T): InitiatorState => initialInitiator(SYN, timings);
const resp = (policy: ResponderPolicy = POLICY): ResponderState => initialResponder(policy, T);

/** The ACK POLICY gives SYN. */
function ackFor(policy: ResponderPolicy = POLICY) {
  const answer = stepResponder(resp(policy), frame({ kind: "SYN", body: SYN }));
  const ack = sent(answer.effects)[0];
  assert.ok(ack?.kind === "ACK");
  return ack.body;
}

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

describe("responder", () => {
  test("ACK: caps are the intersection, the first lane kind both can do, the smaller max frame", () => {
    const ack = ackFor();
    assert.deepEqual(ack, {
      nonce: SYN.nonce,
      caps: ["json", "trace"],
      lane: "shm",
      buffer: { capacity: 1 << 20, max_frame: 4096 },
      heartbeat_ms: 100,
    });
    assert.equal(ackFor({ ...POLICY, lanes: ["uds"] }).lane, "uds");
    assert.equal(ackFor({ ...POLICY, lanes: ["uds"] }).buffer.capacity, 0);
    assert.equal(ackFor({ ...POLICY, minHeartbeatMs: 250 }).heartbeat_ms, 250);
  });

  test("a repeated SYN with the same nonce gets the same ACK, byte for byte, and changes nothing", () => {
    const first = stepResponder(resp(), frame({ kind: "SYN", body: SYN }, 0));
    const again = stepResponder(first.state, frame({ kind: "SYN", body: SYN }, 50));
    assert.deepEqual(
      sent(again.effects).map((m) => encodeControl(m).payload),
      [encodeControl(sent(first.effects)[0] as ControlMessage).payload],
    );
    assert.equal(again.state.phase, "acked");
    assert.equal(again.state.answers.size, 1);
    assert.deepEqual(only(again.effects, "arm"), [], "a retry does not restart the BIND wait");
    // … and after READY too: a late retry of the SYN still gets the cached ACK.
    const ready = run(stepResponder, again.state, [
      frame({ kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } }),
      { kind: "attached", nonce: SYN.nonce, now: 60 },
    ]).state;
    assert.equal(ready.phase, "ready");
    const late = stepResponder(ready, frame({ kind: "SYN", body: SYN }, 70));
    assert.equal(sent(late.effects)[0]?.kind, "ACK");
    assert.equal(late.state.phase, "ready");
  });

  const refusals: Array<[string, ResponderPolicy, Syn, string, RegExp]> = [
    [
      "another contract",
      { ...POLICY, contractHash: "d".repeat(64) },
      SYN,
      "contract-mismatch",
      /the initiator expects contract c{64}; this end has d{64}/,
    ],
    [
      "a cap the initiator requires",
      POLICY,
      { ...SYN, require: ["json", "gzip"] },
      "caps-missing",
      /the initiator requires gzip, which this end does not offer/,
    ],
    [
      "a cap the responder requires",
      { ...POLICY, require: ["zstd"] },
      SYN,
      "caps-missing",
      /this end requires zstd, which the initiator does not offer/,
    ],
    [
      "no common lane kind",
      { ...POLICY, lanes: ["tcp"] },
      SYN,
      "no-lane",
      /the initiator can make shm, uds; this end can reach tcp/,
    ],
  ];
  for (const [what, policy, syn, reason, detail] of refusals) {
    test(`refuses ${what}: TRIP ${reason}, cached for the nonce, and keeps listening`, () => {
      const r = stepResponder(resp(policy), frame({ kind: "SYN", body: syn }));
      const [answer] = sent(r.effects);
      assert.ok(answer?.kind === "TRIP");
      assert.equal(answer.body.reason, reason);
      assert.equal(answer.body.nonce, syn.nonce);
      assert.match(answer.body.detail, detail);
      assert.equal(r.state.phase, "listen");
      assert.deepEqual(only(r.effects, "refused"), [{ kind: "refused", syn, trip: answer.body }]);
      const again = stepResponder(r.state, frame({ kind: "SYN", body: syn }));
      assert.deepEqual(sent(again.effects), [answer]);
      // The initiator, reading it, trips with the responder's reason.
      const i = run(stepInitiator, initialInitiator(syn, T), [
        { kind: "start", now: 0 },
        frame(answer),
      ]);
      assert.equal(i.state.trip?.reason, reason);
      assert.deepEqual(only(i.effects, "tripped"), [
        { kind: "tripped", trip: answer.body, by: "peer" },
      ]);
    });
  }

  test("a new nonce while a link is up is refused (protocol) without touching the link", () => {
    const ready = run(stepResponder, resp(), [
      frame({ kind: "SYN", body: SYN }),
      frame({ kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } }),
      { kind: "attached", nonce: SYN.nonce, now: 1 },
    ]).state;
    const r = stepResponder(ready, frame({ kind: "SYN", body: { ...SYN, nonce: "nonce-0002" } }));
    assert.equal(r.state.phase, "ready");
    assert.equal(r.state.nonce, SYN.nonce);
    const [answer] = sent(r.effects);
    assert.ok(answer?.kind === "TRIP");
    assert.equal(answer.body.nonce, "nonce-0002");
    assert.match(answer.body.detail, /a link \(nonce nonce-0001\) is already up/);
  });

  test("a new nonce before BIND supersedes the old one", () => {
    const r = run(stepResponder, resp(), [
      frame({ kind: "SYN", body: SYN }),
      frame({ kind: "SYN", body: { ...SYN, nonce: "nonce-0002" } }),
    ]);
    assert.equal(r.state.phase, "acked");
    assert.equal(r.state.nonce, "nonce-0002");
    const stale = stepResponder(
      r.state,
      frame({ kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } }),
    );
    assert.equal(stale.state.phase, "acked", "a BIND for the old nonce is stale");
  });

  test("BIND → attach (host reaches the lanes) → READY and the first heartbeat; a resent BIND gets READY again", () => {
    const acked = stepResponder(resp(), frame({ kind: "SYN", body: SYN })).state;
    const bind = { nonce: SYN.nonce, lanes: LANES };
    const a = stepResponder(acked, frame({ kind: "BIND", body: bind }));
    assert.equal(a.state.phase, "attaching");
    assert.deepEqual(only(a.effects, "attach"), [{ kind: "attach", ack: ackFor(), bind }]);
    const dup = stepResponder(a.state, frame({ kind: "BIND", body: bind }));
    assert.deepEqual(dup.effects, [], "READY is on its way");
    const r = stepResponder(a.state, { kind: "attached", nonce: SYN.nonce, now: 3 });
    assert.equal(r.state.phase, "ready");
    assert.deepEqual(sent(r.effects), [
      { kind: "READY", body: { nonce: SYN.nonce } },
      { kind: "HEARTBEAT", body: { nonce: SYN.nonce, n: 1 } },
    ]);
    const again = stepResponder(r.state, frame({ kind: "BIND", body: bind }));
    assert.deepEqual(sent(again.effects), [{ kind: "READY", body: { nonce: SYN.nonce } }]);
    const different = stepResponder(
      r.state,
      frame({ kind: "BIND", body: { ...bind, lanes: [LANES[0] as LaneAddress] } }),
    );
    assert.equal(different.state.trip?.reason, "protocol");
  });

  test("a BIND that breaks the ACK (other kind, other ring) trips; attach failure trips bind-failed", () => {
    const acked = stepResponder(resp(), frame({ kind: "SYN", body: SYN })).state;
    const wrongKind = stepResponder(
      acked,
      frame({ kind: "BIND", body: { nonce: SYN.nonce, lanes: [{ kind: "uds", path: "/x" }] } }),
    );
    assert.match(wrongKind.state.trip?.detail ?? "", /BIND lane 0 is uds; the ACK agreed on shm/);
    const wrongRing = stepResponder(
      acked,
      frame({
        kind: "BIND",
        body: {
          nonce: SYN.nonce,
          lanes: [{ kind: "shm", segment: "s", path: "/x", capacity: 4096 }],
        },
      }),
    );
    assert.match(wrongRing.state.trip?.detail ?? "", /4096-byte ring; the ACK agreed on 1048576/);
    const failed = run(stepResponder, acked, [
      frame({ kind: "BIND", body: { nonce: SYN.nonce, lanes: LANES } }),
      { kind: "attach-failed", nonce: SYN.nonce, detail: "ENOENT", now: 1 },
    ]);
    assert.equal(failed.state.trip?.reason, "bind-failed");
    assert.equal(sent(failed.effects).at(-1)?.kind, "TRIP");
  });

  test("no BIND after the ACK within the initiator's whole retry budget: TRIP timeout", () => {
    const r = stepResponder(resp(), frame({ kind: "SYN", body: SYN }));
    assert.deepEqual(only(r.effects, "arm"), [{ kind: "arm", ms: 4000 }]);
    const t = stepResponder(r.state, { kind: "timer", now: 4000 });
    assert.equal(t.state.trip?.reason, "timeout");
    assert.match(t.state.trip?.detail ?? "", /no BIND after the ACK/);
  });

  test("garbage on the control lane: TRIP malformed with an empty nonce", () => {
    const r = stepResponder(resp(), {
      kind: "frame",
      type: FrameType.SYN,
      payload: Buffer.from("[]"),
      now: 0,
    });
    assert.equal(r.state.phase, "tripped");
    assert.deepEqual(sent(r.effects), [
      {
        kind: "TRIP",
        body: {
          nonce: "",
          reason: "malformed",
          detail: "SYN payload: expected a JSON object, found []",
        },
      },
    ]);
  });
});

describe("after READY", () => {
  function readyPair(): { i: InitiatorState; r: ResponderState } {
    const ack = ackFor();
    const bind = { nonce: SYN.nonce, lanes: LANES };
    const r = run(stepResponder, resp(), [
      frame({ kind: "SYN", body: SYN }),
      frame({ kind: "BIND", body: bind }),
      { kind: "attached", nonce: SYN.nonce, now: 0 },
    ]).state;
    const i = run(stepInitiator, init(), [
      { kind: "start", now: 0 },
      frame({ kind: "ACK", body: ack }),
      { kind: "bound", lanes: LANES, now: 0 },
      frame({ kind: "READY", body: { nonce: SYN.nonce } }),
    ]).state;
    return { i, r };
  }

  test("heartbeats every interval while the peer is heard; silence for missedHeartbeats intervals trips", () => {
    let { i } = readyPair();
    const hb = (n: number, now: number) =>
      frame({ kind: "HEARTBEAT", body: { nonce: SYN.nonce, n } }, now);
    for (let k = 1; k <= 10; k++) {
      const beat = stepInitiator(i, { kind: "timer", now: k * 100 });
      i = stepInitiator(beat.state, hb(k, k * 100 + 1)).state;
      assert.equal(i.phase, "ready");
      assert.equal(sent(beat.effects)[0]?.kind, "HEARTBEAT");
    }
    // The peer goes quiet at t=1001.
    i = stepInitiator(i, { kind: "timer", now: 1100 }).state;
    i = stepInitiator(i, { kind: "timer", now: 1200 }).state;
    assert.equal(i.phase, "ready");
    const r = stepInitiator(i, { kind: "timer", now: 1301 });
    assert.equal(r.state.trip?.reason, "heartbeat");
    assert.match(
      r.state.trip?.detail ?? "",
      /nothing from the peer for 300 ms \(3 heartbeat intervals of 100 ms\)/,
    );
  });

  test("the responder gives an initiator that has not seen READY yet its whole retry budget", () => {
    let { r } = readyPair();
    // Nothing from the initiator since READY at t=0: heartbeats go out, no trip before 4000 ms.
    for (let t = 100; t < 4000; t += 100) {
      const b = stepResponder(r, { kind: "timer", now: t });
      assert.equal(b.state.phase, "ready", `t=${t}`);
      r = b.state;
    }
    assert.equal(stepResponder(r, { kind: "timer", now: 4000 }).state.trip?.reason, "heartbeat");
    // Once the initiator has been heard after READY, plain heartbeat rules apply.
    let heard = stepResponder(
      readyPair().r,
      frame({ kind: "HEARTBEAT", body: { nonce: SYN.nonce, n: 1 } }, 10),
    ).state;
    heard = stepResponder(heard, { kind: "timer", now: 200 }).state;
    assert.equal(heard.phase, "ready");
    assert.equal(stepResponder(heard, { kind: "timer", now: 310 }).state.trip?.reason, "heartbeat");
  });

  test("ping: a heartbeat the peer answers at once with pong", () => {
    const { i, r } = readyPair();
    const p = stepInitiator(i, { kind: "ping", now: 5 });
    const [pingMsg] = sent(p.effects);
    assert.ok(pingMsg?.kind === "HEARTBEAT" && pingMsg.body.ping === true);
    const answer = stepResponder(r, frame(pingMsg, 6));
    const [pongMsg] = sent(answer.effects);
    assert.ok(pongMsg?.kind === "HEARTBEAT");
    assert.equal(pongMsg.body.pong, pingMsg.body.n);
    const back = stepInitiator(p.state, frame(pongMsg, 7));
    assert.deepEqual(only(back.effects, "pong"), [{ kind: "pong", n: pingMsg.body.n }]);
    // No ping before READY.
    assert.deepEqual(stepInitiator(init(), { kind: "ping", now: 0 }).effects, []);
  });

  test("close: TRIP closed to the peer, which stops with reason closed", () => {
    const { i, r } = readyPair();
    const c = stepInitiator(i, { kind: "close", now: 9 });
    assert.equal(c.state.phase, "closed");
    const [trip] = sent(c.effects);
    assert.ok(trip?.kind === "TRIP");
    const peer = stepResponder(r, frame(trip));
    assert.equal(peer.state.phase, "tripped");
    assert.equal(peer.state.trip?.reason, "closed");
  });

  test("peer gone: trips without writing to the dead peer", () => {
    const { i } = readyPair();
    const g = stepInitiator(i, { kind: "peer-gone", detail: "EPIPE", now: 1 });
    assert.equal(g.state.trip?.reason, "peer-gone");
    assert.deepEqual(sent(g.effects), []);
  });
});

// ---------------------------------------------------------------------------------------------
// Both machines against each other over a control link that loses and repeats frames (real
// lanes do neither, but a peer that is slow, restarting or overloaded looks the same).

interface SimResult {
  readonly i: InitiatorState;
  readonly r: ResponderState;
  readonly synBytes: string[];
  readonly ackBytes: string[];
  readonly binds: number;
  readonly attaches: number;
}

function simulate(fates: number[], timings: Timings): SimResult {
  let i = initialInitiator(SYN, timings);
  let r = initialResponder(POLICY, timings);
  let now = 0;
  let iTimer: number | undefined;
  let rTimer: number | undefined;
  const toR: ControlMessage[] = [];
  const toI: ControlMessage[] = [];
  const iInputs: InitiatorInput[] = [{ kind: "start", now: 0 }];
  const rInputs: ResponderInput[] = [];
  const out: { synBytes: string[]; ackBytes: string[]; binds: number; attaches: number } = {
    synBytes: [],
    ackBytes: [],
    binds: 0,
    attaches: 0,
  };
  let fate = 0;
  /** 0: lost, 1: delivered, 2: delivered twice. Mostly delivered. */
  const copies = () => {
    const f = fates[fate++ % Math.max(1, fates.length)] ?? 1;
    return f < 2 ? 0 : f < 9 ? 1 : 2;
  };
  const wire = (effects: readonly Effect[], from: "i" | "r") => {
    for (const e of effects) {
      if (e.kind === "send") {
        const bytes = encodeControl(e.message).payload.toString();
        if (e.message.kind === "SYN") out.synBytes.push(bytes);
        if (e.message.kind === "ACK") out.ackBytes.push(bytes);
        const n = copies();
        for (let k = 0; k < n; k++) (from === "i" ? toR : toI).push(e.message);
      } else if (e.kind === "arm") {
        if (from === "i") iTimer = now + e.ms;
        else rTimer = now + e.ms;
      } else if (e.kind === "disarm") {
        if (from === "i") iTimer = undefined;
        else rTimer = undefined;
      } else if (e.kind === "bind") {
        out.binds++;
        iInputs.push({ kind: "bound", lanes: LANES, now });
      } else if (e.kind === "attach") {
        out.attaches++;
        rInputs.push({ kind: "attached", nonce: e.bind.nonce, now });
      }
    }
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const iIn = iInputs.shift();
    if (iIn !== undefined) {
      const s = stepInitiator(i, iIn);
      i = s.state;
      wire(s.effects, "i");
      continue;
    }
    const rIn = rInputs.shift();
    if (rIn !== undefined) {
      const s = stepResponder(r, rIn);
      r = s.state;
      wire(s.effects, "r");
      continue;
    }
    const m1 = toR.shift();
    if (m1 !== undefined) {
      const { type, payload } = encodeControl(m1);
      rInputs.push({ kind: "frame", type, payload, now });
      continue;
    }
    const m2 = toI.shift();
    if (m2 !== undefined) {
      const { type, payload } = encodeControl(m2);
      iInputs.push({ kind: "frame", type, payload, now });
      continue;
    }
    // Quiet: stop once the initiator is done (ready or over), else let time pass.
    if (i.phase === "ready" || i.phase === "tripped") break;
    const next = Math.min(iTimer ?? Number.POSITIVE_INFINITY, rTimer ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(next)) break;
    now = next;
    if (iTimer === next) {
      iTimer = undefined;
      iInputs.push({ kind: "timer", now });
    }
    if (rTimer === next) {
      rTimer = undefined;
      rInputs.push({ kind: "timer", now });
    }
  }
  // Round-trip every frame through the parser once more: what the machines sent is valid.
  for (const bytes of out.synBytes) parseControl(FrameType.SYN, Buffer.from(bytes));
  for (const bytes of out.ackBytes) parseControl(FrameType.ACK, Buffer.from(bytes));
  return { i, r, ...out };
}

describe("initiator against responder over a lossy, repeating link", () => {
  test("READY on both ends with the same agreement, or a timeout; one nonce, one ACK, one bind", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 40 }), (fates) => {
        const sim = simulate(fates, DEFAULT_TIMINGS);
        assert.ok(
          sim.i.phase === "ready" || sim.i.trip?.reason === "timeout",
          JSON.stringify(sim.i.trip),
        );
        assert.equal(new Set(sim.synBytes).size, 1, "every SYN is the same bytes");
        assert.ok(new Set(sim.ackBytes).size <= 1, "every ACK is the same bytes");
        assert.ok(sim.binds <= 1 && sim.attaches <= 1);
        if (sim.i.phase === "ready") {
          assert.equal(sim.r.phase, "ready");
          assert.deepEqual(sim.r.ack, sim.i.ack);
          assert.deepEqual(sim.r.bind, sim.i.bind);
        }
        assert.ok(sim.synBytes.length <= 1 + DEFAULT_TIMINGS.maxRetries);
      }),
      { numRuns: 400 },
    );
  });

  test("a perfect link: READY with one SYN, one ACK", () => {
    const sim = simulate([5], T);
    assert.equal(sim.i.phase, "ready");
    assert.equal(sim.synBytes.length, 1);
    assert.equal(sim.ackBytes.length, 1);
  });
});
