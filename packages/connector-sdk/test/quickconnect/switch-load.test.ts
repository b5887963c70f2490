/**
 * A hot swap under load, with real processes and real lanes (issue 4, "What it must show"):
 * a source process writes N numbered messages as fast as the lane takes them (≥ 50,000/s) to
 * target A in another process, over an shm lane and over a uds lane; halfway it switches to
 * target B, a third process, prepared beforehand (handshake done, lanes bound). Checked:
 *
 *   - zero lost, zero duplicated: A's and B's sequence numbers are disjoint and together are
 *     exactly 1..N — A has 1..k, B has k+1..N, k being where the flip fell;
 *   - A drained to EOS and closed; every request was answered by the target it was sent to,
 *     including those still in flight at the flip (answered late, by A);
 *   - `switchTo("B")` twice at once was one switch, and a third time changed nothing;
 *   - the switch happened while the source was writing at full speed (the rate around it is
 *     reported, and asserted loosely: these machines are shared and noisy).
 *
 * And a warm spare B killed before the switch: the switch fails cleanly (RTT_ERR_QC_SWITCH),
 * the source stays on A, and A gets all N messages.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it, type TestContext } from "node:test";
import type { LaneKind } from "@rtt/core";
import { loadShm } from "@rtt/fabric";

const N = Number(process.env.RTT_QC_LOAD_MESSAGES ?? 300_000);
const SWITCH_AT = Math.floor(N / 2);
/**
 * The figure, asserted for the whole run (measured here: 300,000+ msg/s on both lane
 * kinds). The short window around the switch is noisier: asserted at half of it.
 */
const TARGET_RATE = Number(process.env.RTT_QC_MIN_RATE ?? 50_000);
const MIN_RATE = TARGET_RATE / 2;
/** Targets answer requests this late, so some are still in flight at the flip. */
const ANSWER_DELAY_MS = 100;

const TARGET = new URL("./target-peer.ts", import.meta.url).pathname;
const SOURCE = new URL("./source-peer.ts", import.meta.url).pathname;

type Line = Record<string, unknown> & { t: string };

class Peer {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  readonly #waiters: Array<() => void> = [];
  #closed = false;
  readonly stderr: string[] = [];

  constructor(script: string, args: string[]) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    const rl = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
    rl.on("line", (text) => {
      this.lines.push(JSON.parse(text) as Line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    rl.on("close", () => {
      this.#closed = true;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** The first line of type `t`, waiting for it. */
  async next(t: string): Promise<Line> {
    for (;;) {
      const found = this.lines.find((l) => l.t === t);
      if (found !== undefined) return found;
      if (this.#closed) {
        assert.fail(
          `peer exited before printing ${t}: ${JSON.stringify(this.lines)} ${this.stderr.join("")}`,
        );
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  exited(): Promise<number | string | null> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null)
      return Promise.resolve(c.exitCode ?? c.signalCode);
    return new Promise((resolve) => c.once("exit", (code, signal) => resolve(code ?? signal)));
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

interface TargetResult {
  frames: number;
  answered: number;
  ranges: Array<[number, number]>;
  dupes: number;
  outOfRange: number;
  eos: boolean;
  closed: boolean;
}

interface SourceResult {
  sent: number;
  rate: number;
  elapsedMs: number;
  switchWindowRate: number;
  switchWindowMaxGapMs: number;
  switch: {
    ok: boolean;
    switched?: boolean;
    atMessage?: number;
    samePromise?: boolean;
    againSwitched?: boolean;
    probeAndFlipMs?: number;
    inflightAtFlip?: number;
    retiredFrom?: { id: string; unanswered: number; error?: string };
    code?: string;
    message?: string;
  };
  requests: {
    sent: number;
    answeredBy: Record<string, number>;
    wrongTarget: number;
    failed: number;
    beforeSwitchByA: number;
    strays: number;
  };
  retired: Array<{ id: string; unanswered: number; error?: string }>;
}

/** Starts A, B and the source; resolves once both links are READY. */
async function start(kind: LaneKind) {
  const a = new Peer(TARGET, ["A", String(N), String(ANSWER_DELAY_MS)]);
  const b = new Peer(TARGET, ["B", String(N), String(ANSWER_DELAY_MS)]);
  const peers = [a, b];
  try {
    const [ca, cb] = await Promise.all([a.next("control"), b.next("control")]);
    const controls = JSON.stringify({ A: ca.control, B: cb.control });
    const source = new Peer(SOURCE, [kind, String(N), String(SWITCH_AT), controls]);
    peers.push(source);
    await source.next("ready");
    return { a, b, source, peers };
  } catch (error) {
    for (const p of peers) p.kill();
    throw error;
  }
}

/** Socket files and shm segments the peers left behind (named after their pids). */
function leftovers(peers: Peer[]): string[] {
  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const sockets = list(join(tmpdir(), `rtt-${process.getuid?.() ?? "user"}`));
  const segments = list("/dev/shm");
  return peers.flatMap(({ child }) => {
    const pid = child.pid ?? -1;
    return [
      ...sockets.filter((f) => f.startsWith(`lane-${pid}-`)),
      ...segments.filter((f) => f.startsWith(`rtt-${pid.toString(36)}-`)),
    ];
  });
}

/** Sorted, merged ranges: what a set of sequence numbers covers. */
function union(...lists: Array<Array<[number, number]>>): Array<[number, number]> {
  const all = lists.flat().sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of all) {
    const last = out.at(-1);
    if (last !== undefined && lo <= last[1] + 1) {
      assert.ok(lo > last[1], `overlap: ${lo}..${hi} and ${last[0]}..${last[1]}`);
      last[1] = Math.max(last[1], hi);
    } else out.push([lo, hi]);
  }
  return out;
}

function report(t: TestContext, kind: string, s: SourceResult): void {
  const line =
    `${kind}: ${N} messages in ${s.elapsedMs.toFixed(0)} ms = ${Math.round(s.rate)} msg/s overall, ` +
    `${Math.round(s.switchWindowRate)} msg/s around the switch (longest pause ${s.switchWindowMaxGapMs.toFixed(1)} ms), ` +
    `probe+flip ${s.switch.probeAndFlipMs?.toFixed(1)} ms, flip after message ${s.switch.atMessage}, ` +
    `${s.switch.inflightAtFlip} request(s) in flight to A at the flip`;
  t.diagnostic(line);
  process.stderr.write(`# ${line}\n`);
}

const kinds: LaneKind[] = loadShm() === undefined ? ["uds"] : ["shm", "uds"];

describe(`switch under load: ${N} messages, real processes`, () => {
  for (const kind of kinds) {
    it(`${kind} lane: zero lost, zero duplicated, A closed after EOS, in-flight answered by A`, {
      timeout: 60_000,
    }, async (t) => {
      const { a, b, source, peers } = await start(kind);
      try {
        source.child.stdin?.write("go\n");
        const s = (await source.next("result")) as unknown as SourceResult;
        const ra = (await a.next("result")) as unknown as TargetResult;
        const rb = (await b.next("result")) as unknown as TargetResult;
        assert.deepEqual(
          await Promise.all(peers.map((p) => p.exited())),
          [0, 0, 0],
          peers.map((p) => p.stderr.join("")).join("\n"),
        );
        report(t, kind, s);

        // The switch: one, mid-stream, idempotent.
        assert.equal(s.switch.ok, true, s.switch.message);
        assert.equal(s.switch.switched, true);
        assert.equal(s.switch.samePromise, true, "switchTo(B) twice at once: the same switch");
        assert.equal(s.switch.againSwitched, false, "switchTo(B) once on B: no change");
        const k = s.switch.atMessage ?? -1;
        assert.ok(k >= SWITCH_AT && k < N, `the flip fell after message ${k}`);

        // Zero lost, zero duplicated: A has 1..k, B has k+1..N, disjoint, union 1..N.
        assert.equal(s.sent, N);
        assert.deepEqual(ra.ranges, [[1, k]]);
        assert.deepEqual(rb.ranges, [[k + 1, N]]);
        assert.deepEqual(union(ra.ranges, rb.ranges), [[1, N]]);
        assert.equal(ra.dupes + rb.dupes + ra.outOfRange + rb.outOfRange, 0);
        assert.equal(ra.frames + rb.frames, N);

        // A drained to EOS and closed; so did B at the end.
        assert.equal(ra.eos && ra.closed, true);
        assert.equal(rb.eos && rb.closed, true);
        assert.deepEqual(s.switch.retiredFrom, { id: "A", unanswered: 0 });
        assert.deepEqual(s.retired, [{ id: "B", unanswered: 0 }]);

        // Requests: each answered by the one it went to; those in flight at the flip, by A.
        const expectedRequests = Math.floor(N / 5000) + (SWITCH_AT % 5000 === 0 ? 0 : 1);
        assert.equal(s.requests.sent, expectedRequests);
        assert.equal(s.requests.failed, 0);
        assert.equal(s.requests.wrongTarget, 0);
        assert.equal(s.requests.strays, 0);
        assert.ok((s.switch.inflightAtFlip ?? 0) >= 1, "a request was in flight to A at the flip");
        assert.equal(s.requests.answeredBy.A, ra.answered);
        assert.equal(s.requests.answeredBy.B, rb.answered);
        assert.equal(s.requests.beforeSwitchByA, ra.answered);

        // Full speed: the source kept writing while the switch ran.
        assert.ok(
          s.switchWindowRate >= MIN_RATE,
          `${Math.round(s.switchWindowRate)} msg/s around the switch, expected at least ${MIN_RATE}`,
        );
        assert.ok(s.rate >= TARGET_RATE, `${Math.round(s.rate)} msg/s overall`);
        assert.deepEqual(leftovers(peers), []);
      } finally {
        for (const p of peers) p.kill();
      }
    });
  }

  it("a warm spare killed before the switch: RTT_ERR_QC_SWITCH, the source stays on A, A gets everything", {
    timeout: 60_000,
  }, async (t) => {
    const { a, b, source, peers } = await start(kinds[0] ?? "uds");
    try {
      b.kill();
      assert.equal(await b.exited(), "SIGKILL");
      source.child.stdin?.write("go\n");
      const s = (await source.next("result")) as unknown as SourceResult;
      const ra = (await a.next("result")) as unknown as TargetResult;
      t.diagnostic(`switch refused: ${s.switch.code}: ${s.switch.message}`);
      assert.equal(s.switch.ok, false);
      assert.equal(s.switch.code, "RTT_ERR_QC_SWITCH");
      assert.match(s.switch.message ?? "", /cannot switch to "B": .*the source stays on "A"/);
      assert.equal(s.sent, N);
      assert.deepEqual(ra.ranges, [[1, N]]);
      assert.equal(ra.dupes, 0);
      assert.equal(s.requests.failed, 0);
      assert.equal(s.requests.answeredBy.A, s.requests.sent);
      assert.equal(s.requests.wrongTarget, 0);
      assert.deepEqual(
        s.retired.map((r) => r.id),
        ["A"],
      );
      assert.equal(await source.exited(), 0);
      assert.equal(await a.exited(), 0);
      assert.deepEqual(leftovers(peers), []);
    } finally {
      for (const p of peers) p.kill();
    }
  });
});
