// Hot swap in one process, over in-process lanes: exactly-once delivery across the switch,
// in-flight requests finishing on the old target, idempotence, and switches that must fail.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { connectReader, type Frame, listenWriter } from "@rtt/fabric";
import { FakeClock } from "../clock.ts";
import {
  type Drained,
  SwitchingSource,
  type SwitchResult,
  type SwitchTarget,
  serveTarget,
} from "./switch.ts";

interface TestTarget {
  readonly target: SwitchTarget;
  /** Sequence numbers received, in order. */
  readonly seqs: number[];
  readonly served: Promise<Drained>;
  /** Answers to requests not yet released, by correlation. */
  readonly held: Map<number, () => void>;
  released: boolean;
}

/**
 * A target with a forward lane and a response lane. It answers every request with its own id,
 * immediately — or, with `hold`, only when the test releases the answer.
 */
async function makeTarget(
  id: string,
  options: { hold?: boolean; probe?: SwitchTarget["probe"] } = {},
): Promise<TestTarget> {
  const fwd = await listenWriter("inproc");
  const forward = await connectReader(fwd.address);
  const writer = await fwd.accepted;
  const rev = await listenWriter("inproc");
  const responses = await connectReader(rev.address);
  const responseWriter = await rev.accepted;
  const seqs: number[] = [];
  const held = new Map<number, () => void>();
  const served = serveTarget({
    forward,
    responses: responseWriter,
    onFrame(frame: Frame) {
      seqs.push(Buffer.from(frame.payload).readUInt32LE(0));
      if (frame.correlation === 0) return undefined;
      const answer = Buffer.from(id);
      if (options.hold !== true) return answer;
      return new Promise<Uint8Array>((resolve) =>
        held.set(frame.correlation, () => resolve(answer)),
      );
    },
  });
  served.catch(() => {});
  const t: TestTarget = {
    target: {
      id,
      writer,
      responses,
      ...(options.probe === undefined ? {} : { probe: options.probe }),
      release: () => {
        t.released = true;
      },
    },
    seqs,
    served,
    held,
    released: false,
  };
  return t;
}

function msg(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(seq, 0);
  return b;
}

async function settle(turns = 6): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

function switched(r: SwitchResult) {
  assert.ok(r.switched, "expected a switch");
  return r;
}

describe("switch", () => {
  test("at a frame boundary: every frame reaches exactly one target; A drains to EOS, answers its in-flight request, closes", async () => {
    const a = await makeTarget("A", { hold: true });
    const b = await makeTarget("B");
    const source = new SwitchingSource(a.target);
    source.addSpare(b.target);
    const N = 5000;
    let request: Promise<{ target: string; correlation: number }> | undefined;
    let flip: Promise<SwitchResult> | undefined;
    for (let seq = 1; seq <= N; seq++) {
      if (seq === 2500) {
        // A request to A, then ask for the switch at once: the answer is still to come.
        request = source.request(msg(seq)).response;
        flip = source.switchTo("B");
        continue;
      }
      source.write(msg(seq));
      if (seq % 100 === 0) await settle(1); // let the switch happen mid-stream
    }
    assert.ok(flip !== undefined && request !== undefined);
    const result = switched(await flip);
    assert.equal(result.from, "A");
    assert.equal(result.to, "B");
    assert.equal(source.current, "B");
    // A got 1..atMessage, B the rest: no loss, no duplicate, no overlap.
    const boundary = result.atMessage;
    assert.ok(boundary >= 2500 && boundary < N, `switched after message ${boundary}`);
    await settle();
    assert.deepEqual(
      a.seqs,
      Array.from({ length: boundary }, (_, i) => i + 1),
    );
    // A has seen EOS but holds an answer: it is not retired yet.
    let retiredYet = false;
    result.retired.then(() => {
      retiredYet = true;
    });
    await settle();
    assert.equal(retiredYet, false, "A retires only after answering its in-flight request");
    assert.deepEqual(source.inflight, new Map([["A", 1]]));
    a.held.get(1)?.();
    const answer = await request;
    assert.equal(answer.target, "A", "a request sent to A is answered by A");
    const retired = await result.retired;
    assert.deepEqual(retired, { id: "A", unanswered: 0 });
    assert.deepEqual(await a.served, { frames: boundary, answered: 1 });
    assert.equal(a.released, true);
    await source.end();
    assert.deepEqual(await b.served, { frames: N - boundary, answered: 0 });
    assert.deepEqual(
      b.seqs,
      Array.from({ length: N - boundary }, (_, i) => boundary + i + 1),
    );
  });

  test("requests after the switch are answered by B", async () => {
    const a = await makeTarget("A");
    const b = await makeTarget("B");
    const source = new SwitchingSource(a.target);
    source.addSpare(b.target);
    const before = source.request(msg(1)).response;
    switched(await source.switchTo("B"));
    const after = source.request(msg(2)).response;
    assert.equal((await before).target, "A");
    assert.equal((await after).target, "B");
    await source.end();
  });

  test("idempotent: switchTo(B) twice at once is one switch; again once on B changes nothing", async () => {
    const a = await makeTarget("A");
    const b = await makeTarget("B");
    const source = new SwitchingSource(a.target);
    source.addSpare(b.target);
    let switches = 0;
    source.on("switch", () => switches++);
    const first = source.switchTo("B");
    const second = source.switchTo("B");
    assert.equal(first, second, "the same promise");
    const r = switched(await first);
    assert.equal(switches, 1);
    assert.deepEqual(await source.switchTo("B"), { switched: false, current: "B" });
    assert.equal(switches, 1);
    source.write(msg(1));
    await r.retired;
    await source.end();
    assert.deepEqual(b.seqs, [1]);
    assert.deepEqual(a.seqs, []);
  });

  test("a spare that fails its probe: RTT_ERR_QC_SWITCH, the source stays on A, nothing lost", async () => {
    const a = await makeTarget("A");
    const b = await makeTarget("B", {
      probe: () => Promise.reject(new Error("B's control link is gone")),
    });
    const source = new SwitchingSource(a.target);
    source.addSpare(b.target);
    source.write(msg(1));
    await assert.rejects(source.switchTo("B"), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_QC_SWITCH");
      assert.match(
        error.message,
        /cannot switch to "B": it is not there \(B's control link is gone\); the source stays on "A"/,
      );
      return true;
    });
    assert.equal(source.current, "A");
    assert.deepEqual(source.spares, [], "the dead spare is dropped");
    assert.equal(b.released, true);
    await assert.rejects(source.switchTo("B"), /not a prepared spare/);
    source.write(msg(2));
    await source.end();
    assert.deepEqual(a.seqs, [1, 2]);
  });

  test("a spare whose probe never answers: refused after the probe timeout", async () => {
    const clock = new FakeClock();
    const a = await makeTarget("A");
    const b = await makeTarget("B", { probe: () => new Promise(() => {}) });
    const source = new SwitchingSource(a.target, { clock, probeTimeoutMs: 250 });
    source.addSpare(b.target);
    const attempt = source.switchTo("B");
    await settle();
    clock.advance(250);
    await assert.rejects(attempt, /no answer to its probe within 250 ms/);
    assert.equal(source.current, "A");
    await source.end();
  });

  test("a spare whose lane already failed is refused without a probe", async () => {
    const a = await makeTarget("A");
    const b = await makeTarget("B");
    let probed = false;
    const source = new SwitchingSource(a.target);
    source.addSpare({
      ...b.target,
      probe: async () => {
        probed = true;
      },
    });
    b.target.writer.emit(
      "error",
      new RttError("RTT_ERR_LANE_PEER_GONE", "shm lane: the peer went away"),
    );
    await assert.rejects(source.switchTo("B"), /the peer went away/);
    assert.equal(probed, false);
    assert.equal(source.current, "A");
    await source.end();
  });

  test("a target that is not a spare is prepared on demand when the source knows how", async () => {
    const a = await makeTarget("A");
    const c = await makeTarget("C");
    const asked: string[] = [];
    const source = new SwitchingSource(a.target, {
      prepare: async (id) => {
        asked.push(id);
        if (id === "C") return c.target;
        throw new Error(`no driver knows ${id}`);
      },
    });
    await assert.rejects(
      source.switchTo("Z"),
      /cannot switch to "Z": it could not be prepared \(no driver knows Z\)/,
    );
    const first = source.switchTo("C");
    assert.equal(source.switchTo("C"), first);
    switched(await first);
    source.write(msg(1));
    await source.end();
    assert.deepEqual(asked, ["Z", "C"]);
    assert.deepEqual(c.seqs, [1]);
  });

  test("unknown targets are refused; a target can only be attached once", async () => {
    const a = await makeTarget("A");
    const source = new SwitchingSource(a.target);
    await assert.rejects(
      source.switchTo("Z"),
      /cannot switch to "Z": it is not a prepared spare \(spares: none\)/,
    );
    assert.throws(() => source.addSpare(a.target), /already attached/);
    await source.end();
    await assert.rejects(source.switchTo("Z"), /the source has ended/);
    assert.throws(() => source.write(msg(1)), /write after end/);
  });

  test("a target that never answers is retired after the drain timeout; its request fails, typed", async () => {
    const clock = new FakeClock();
    const a = await makeTarget("A", { hold: true });
    const b = await makeTarget("B");
    const source = new SwitchingSource(a.target, { clock, drainTimeoutMs: 5000 });
    source.addSpare(b.target);
    const lost = source.request(msg(1)).response;
    lost.catch(() => {});
    const r = switched(await source.switchTo("B"));
    await settle();
    clock.advance(5000);
    const retired = await r.retired;
    assert.equal(retired.unanswered, 1);
    assert.match(retired.error?.message ?? "", /did not drain and answer within 5000 ms/);
    await assert.rejects(
      lost,
      (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_QC_SWITCH",
    );
    await source.end();
  });
});
