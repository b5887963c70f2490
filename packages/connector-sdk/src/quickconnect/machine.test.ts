// Both handshake machines after READY, and against each other over a lossy link: no lanes, no
// timers — time is the `now` we pass in.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameType } from "@rtt/fabric";
import fc from "fast-check";
import {
  type InitiatorInput,
  type InitiatorState,
  initialInitiator,
  stepInitiator,
} from "./initiator-machine.ts";
import { DEFAULT_TIMINGS, type Effect, type Timings } from "./machine.ts";
import {
  ackFor,
  frame,
  init,
  LANES,
  only,
  POLICY,
  resp,
  run,
  SYN,
  sent,
  T,
} from "./machine-fixtures.ts";
import { type ControlMessage, encodeControl, parseControl } from "./messages.ts";
import {
  initialResponder,
  type ResponderInput,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";

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

/** The two machines, their timers, and the frames in flight between them. */
class LossyLink {
  i: InitiatorState;
  r: ResponderState;
  readonly out = { synBytes: [] as string[], ackBytes: [] as string[], binds: 0, attaches: 0 };
  #now = 0;
  #iTimer: number | undefined;
  #rTimer: number | undefined;
  readonly #toR: ControlMessage[] = [];
  readonly #toI: ControlMessage[] = [];
  readonly #iInputs: InitiatorInput[] = [{ kind: "start", now: 0 }];
  readonly #rInputs: ResponderInput[] = [];
  readonly #fates: number[];
  #fate = 0;

  constructor(fates: number[], timings: Timings) {
    this.#fates = fates;
    this.i = initialInitiator(SYN, timings);
    this.r = initialResponder(POLICY, timings);
  }

  /** 0: lost, 1: delivered, 2: delivered twice. Mostly delivered. */
  #copies(): number {
    const f = this.#fates[this.#fate++ % Math.max(1, this.#fates.length)] ?? 1;
    return f < 2 ? 0 : f < 9 ? 1 : 2;
  }

  #wire(effects: readonly Effect[], from: "i" | "r"): void {
    const now = this.#now;
    for (const e of effects) {
      if (e.kind === "send") {
        const bytes = encodeControl(e.message).payload.toString();
        if (e.message.kind === "SYN") this.out.synBytes.push(bytes);
        if (e.message.kind === "ACK") this.out.ackBytes.push(bytes);
        const n = this.#copies();
        for (let k = 0; k < n; k++) (from === "i" ? this.#toR : this.#toI).push(e.message);
      } else if (e.kind === "arm") {
        if (from === "i") this.#iTimer = now + e.ms;
        else this.#rTimer = now + e.ms;
      } else if (e.kind === "disarm") {
        if (from === "i") this.#iTimer = undefined;
        else this.#rTimer = undefined;
      } else if (e.kind === "bind") {
        this.out.binds++;
        this.#iInputs.push({ kind: "bound", lanes: LANES, now });
      } else if (e.kind === "attach") {
        this.out.attaches++;
        this.#rInputs.push({ kind: "attached", nonce: e.bind.nonce, now });
      }
    }
  }

  /**
   * One thing happens: an input reaches a machine, else a frame crosses the link, else time
   * passes to the next timer. False once nothing more can happen.
   */
  step(): boolean {
    const iIn = this.#iInputs.shift();
    if (iIn !== undefined) {
      const s = stepInitiator(this.i, iIn);
      this.i = s.state;
      this.#wire(s.effects, "i");
      return true;
    }
    const rIn = this.#rInputs.shift();
    if (rIn !== undefined) {
      const s = stepResponder(this.r, rIn);
      this.r = s.state;
      this.#wire(s.effects, "r");
      return true;
    }
    const m1 = this.#toR.shift();
    if (m1 !== undefined) {
      const { type, payload } = encodeControl(m1);
      this.#rInputs.push({ kind: "frame", type, payload, now: this.#now });
      return true;
    }
    const m2 = this.#toI.shift();
    if (m2 !== undefined) {
      const { type, payload } = encodeControl(m2);
      this.#iInputs.push({ kind: "frame", type, payload, now: this.#now });
      return true;
    }
    return this.#passTime();
  }

  /** Quiet: stop once the initiator is done (ready or over), else let time pass. */
  #passTime(): boolean {
    if (this.i.phase === "ready" || this.i.phase === "tripped") return false;
    const next = Math.min(
      this.#iTimer ?? Number.POSITIVE_INFINITY,
      this.#rTimer ?? Number.POSITIVE_INFINITY,
    );
    if (!Number.isFinite(next)) return false;
    this.#now = next;
    if (this.#iTimer === next) {
      this.#iTimer = undefined;
      this.#iInputs.push({ kind: "timer", now: next });
    }
    if (this.#rTimer === next) {
      this.#rTimer = undefined;
      this.#rInputs.push({ kind: "timer", now: next });
    }
    return true;
  }
}

function simulate(fates: number[], timings: Timings): SimResult {
  const link = new LossyLink(fates, timings);
  for (let guard = 0; guard < 10_000 && link.step(); guard++);
  // Round-trip every frame through the parser once more: what the machines sent is valid.
  for (const bytes of link.out.synBytes) parseControl(FrameType.SYN, Buffer.from(bytes));
  for (const bytes of link.out.ackBytes) parseControl(FrameType.ACK, Buffer.from(bytes));
  return { i: link.i, r: link.r, ...link.out };
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
