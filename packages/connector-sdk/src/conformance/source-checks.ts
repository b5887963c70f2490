/**
 * The source side of a link (docs/connectors.md §5, §8): what the symbol produces goes out on
 * the outbound lane the check listens on; heartbeats while idle; a Switch to a lane of another
 * kind mid-stream moves every message exactly once, the old lane ending with EOS; Close ends the
 * lane with EOS. The symbol must answer what it is sent (an echo, `cat`, a request/response
 * target): the check sends messages on the link's inbound lane and reads the outbound.
 */
import { type Frame, type LaneKind, type LaneWriter, listenWriter } from "@rtt/fabric";
import type { DriverHost } from "../host/driver-host.ts";
import { LaneTap } from "./lane-tap.ts";
import { sampleUntil } from "./link-health.ts";
import type { CheckRun } from "./report.ts";
import { CheckFailed, CheckSkipped, expect } from "./report.ts";
import type { CheckSymbol } from "./symbol.ts";

/** How long a step may wait for the driver: generous, a loaded machine is slow, not wrong. */
const WAIT_MS = 8000;

export const SOURCE_CHECKS = ["bind", "heartbeats", "switch-exactly-once", "close-eos"] as const;

export interface SourceOptions {
  readonly message: (i: number) => Uint8Array;
  readonly count: number;
  readonly heartbeatMs: number;
  /** The two kinds the Switch moves between. */
  readonly kinds: readonly [LaneKind, LaneKind];
}

/** A frame's identity for duplicate detection: its correlation id and payload. */
const identity = (f: Frame) => `${f.correlation}:${Buffer.from(f.payload).toString("base64")}`;

export async function runSourceChecks(
  run: CheckRun,
  host: DriverHost,
  s: CheckSymbol,
  o: SourceOptions,
): Promise<void> {
  let link: string | undefined;
  const first = await LaneTap.listen(o.kinds[0]);
  const second = await LaneTap.listen(o.kinds[1]);
  let inbound: LaneWriter | undefined;
  const half = Math.ceil(o.count / 2);
  try {
    const bound = await run.run("bind", 20_000, async () => {
      link = await host.open(s.saddr, {
        contract: s.contract,
        contractHash: s.contractHash,
        params: s.params,
      });
      const listener = await listenWriter("uds");
      const reply = await host.bind(link, { inbound: listener.address, outbound: first.address });
      inbound = await listener.accepted;
      inbound.on("error", () => {});
      for (let i = 1; i <= half; i++) inbound.write(o.message(i), { correlation: i });
      try {
        await first.until(() => first.data.length > 0, 10_000, "no DATA frame came out");
      } catch {
        throw new CheckSkipped(
          `the symbol produced nothing from ${half} messages sent in: give --contract a symbol that answers what it is sent`,
        );
      }
      return `Bind ${JSON.stringify(reply)}; the symbol's output arrives on the ${o.kinds[0]} lane`;
    });
    if (bound === undefined || inbound === undefined || link === undefined) {
      run.skip(SOURCE_CHECKS.slice(1), "bind did not pass");
      return;
    }
    const writer = inbound;
    const id = link;
    await run.run("heartbeats", WAIT_MS + 2000, async () => {
      await first.until(
        () => first.heartbeats > 0,
        WAIT_MS,
        `no HEARTBEAT on the outbound lane (RTT_HEARTBEAT_MS=${o.heartbeatMs})`,
      );
      const problem = first.numberingProblem();
      expect(problem === undefined, `frames are numbered 1, 2, 3, … on a lane: ${problem}`);
      return `${first.heartbeats} HEARTBEAT(s) on the lane, frames numbered from 1`;
    });
    await run.run("switch-exactly-once", 4 * WAIT_MS, async () => {
      // Mid-stream: messages in flight while the Switch runs, and more once it has.
      for (let i = half + 1; i <= o.count; i++) writer.write(o.message(i), { correlation: i });
      const moved = await host.switch(id, second.address);
      for (let i = o.count + 1; i <= o.count + half; i++)
        writer.write(o.message(i), { correlation: i });
      await second.until(
        () => second.data.length > 0,
        WAIT_MS,
        `nothing arrived on the new ${o.kinds[1]} lane after the Switch`,
      );
      await first.until(() => first.end !== undefined, WAIT_MS, "the old lane never ended");
      expect(first.end === "eos", "the old lane ended without EOS after the Switch");
      // Settled: what the driver counted as sent has arrived, or neither count has moved for
      // half a second (a frame sent twice, or one counted and never sent).
      const arrived = () => first.data.length + second.data.length;
      let still = { out: -1, total: -1, since: performance.now() };
      const sample = await sampleUntil(
        host,
        id,
        (h) => {
          const out = Number(h.frames_out);
          const total = arrived();
          if (out === total) return true;
          if (out !== still.out || total !== still.total)
            still = { out, total, since: performance.now() };
          return performance.now() - still.since >= 500;
        },
        WAIT_MS,
        (h) =>
          `Health frames_out is ${h?.frames_out ?? "?"} but ${first.data.length} + ${second.data.length} DATA frames arrived on the two lanes`,
      );
      expect(
        moved.oldFrames === first.data.length,
        `SwitchResponse.old_frames ${moved.oldFrames}, but the old lane carried ${first.data.length} DATA frames`,
      );
      expect(
        moved.oldEosSeq === first.frames.length + 1,
        `SwitchResponse.old_eos_seq ${moved.oldEosSeq}, but the old lane's EOS followed frame ${first.frames.length}`,
      );
      for (const [name, tap] of [
        ["old", first],
        ["new", second],
      ] as const) {
        const problem = tap.numberingProblem();
        if (problem !== undefined) throw new CheckFailed(`${name} lane: ${problem}`);
      }
      const seen = new Set<string>();
      for (const f of [...first.data, ...second.data]) {
        if (seen.has(identity(f)))
          throw new CheckFailed(
            `a frame (correlation ${f.correlation}, ${JSON.stringify(Buffer.from(f.payload).toString().slice(0, 40))}) arrived twice across the Switch`,
          );
        seen.add(identity(f));
      }
      const total = first.data.length + second.data.length;
      expect(
        Number(sample.frames_out) === total,
        `Health frames_out is ${sample.frames_out} but ${total} DATA frames arrived`,
      );
      return `${first.data.length} DATA frames on ${o.kinds[0]}, then EOS (seq ${moved.oldEosSeq}); ${second.data.length} on ${o.kinds[1]}; frames_out ${sample.frames_out}, none twice`;
    });
    await run.run("close-eos", 2 * WAIT_MS, async () => {
      const closed = await host.close(id);
      expect(closed, "Close answered closed=false for an open link");
      await second.until(
        () => second.end !== undefined,
        WAIT_MS,
        "the lane never ended after Close",
      );
      expect(second.end === "eos", "Close ended the outbound lane without EOS");
      const again = await host.close(id);
      expect(!again, "a second Close of the same link answered closed=true");
      return "EOS on the outbound lane; a second Close answers closed=false";
    });
  } finally {
    await inbound?.end().catch(() => {});
    first.close();
    second.close();
    if (link !== undefined) await host.close(link).catch(() => false);
  }
}
