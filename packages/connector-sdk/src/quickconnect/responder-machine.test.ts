// The responder's machine on its own: no lanes, no timers — time is the `now` we pass in.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FrameType, type LaneAddress } from "@rtt/fabric";
import { initialInitiator, stepInitiator } from "./initiator-machine.ts";
import { ackFor, frame, LANES, only, POLICY, resp, run, SYN, sent, T } from "./machine-fixtures.ts";
import { type ControlMessage, encodeControl, type Syn } from "./messages.ts";
import { type ResponderPolicy, stepResponder } from "./responder-machine.ts";

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
    [
      "an initiator the admission check turns away",
      {
        ...POLICY,
        admit: (syn) => (syn.token === "v4.public.good" ? undefined : "no route token"),
      },
      SYN,
      "unauthorized",
      /^no route token$/,
    ],
    [
      // Admission comes first: an unadmitted initiator learns nothing of this end's contract.
      "an unadmitted initiator before its contract is looked at",
      { ...POLICY, contractHash: "d".repeat(64), admit: () => "bad route token" },
      SYN,
      "unauthorized",
      /^bad route token$/,
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

  test("an admitted SYN is answered as any other; admission sees the SYN", () => {
    const seen: Syn[] = [];
    const policy: ResponderPolicy = {
      ...POLICY,
      admit: (syn) => {
        seen.push(syn);
        return syn.token === "v4.public.good" ? undefined : "no";
      },
    };
    const syn = { ...SYN, token: "v4.public.good" };
    const r = stepResponder(resp(policy), frame({ kind: "SYN", body: syn }, 42));
    assert.equal(sent(r.effects)[0]?.kind, "ACK");
    assert.equal(r.state.phase, "acked");
    assert.deepEqual(seen, [syn]);
  });

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
