// Lane negotiation (ADR 0031): a route goes over the first kind of the plan's lane, then
// routing.prefer, that both drivers declare, and past a kind whose Offer fails.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DriverHost, type HandshakeOptions } from "@rtt/connector-sdk";
import { type Contract, contractHash, type LaneKind, RttError } from "@rtt/core";
import { type LaneAddress, loadShm } from "@rtt/fabric";
import type { EdgeEnd } from "../plan/topology.ts";
import type { DriverCalls } from "./drivers.ts";
import { agree } from "./handshake-ask.ts";
import { laneCandidates } from "./lane-choice.ts";

/** A driver that declares `lanes`, whose Offer fails on `broken` kinds; it records its calls. */
function driver(lanes: readonly LaneKind[] | undefined, broken: readonly LaneKind[] = []) {
  const offered: LaneKind[] = [];
  const asked: HandshakeOptions[] = [];
  const address = (kind: LaneKind): LaneAddress =>
    kind === "tcp"
      ? { kind: "tcp", host: "127.0.0.1", port: 9 }
      : { kind: "uds", path: `/tmp/lane-${kind}` };
  const calls = {
    lanes,
    async offerWithHandshake(_link: string, kind: LaneKind) {
      offered.push(kind);
      if (broken.includes(kind))
        throw new RttError("RTT_ERR_LANE_UNAVAILABLE", `cannot make ${kind} here`);
      const control = { requests: address(kind), answers: address(kind) };
      return { address: address(kind), control };
    },
    async handshake(_link: string, ask: HandshakeOptions) {
      asked.push(ask);
      return {};
    },
  } as unknown as DriverCalls;
  return { calls, offered, asked };
}

const to = { saddr: "rtt://t/log/sink@1.0.0", contract_hash: "ab".repeat(32) } as EdgeEnd;

function agreement(source: DriverCalls, target: DriverCalls, lane: LaneKind, prefer: LaneKind[]) {
  const lines: string[] = [];
  return {
    lines,
    run: () =>
      agree({
        source: { driver: source, link: "s1" },
        target: { driver: target, link: "t1" },
        lane,
        prefer,
        progress: (l) => lines.push(l),
        route: "r",
        from: "rtt://t/emit/src@1.0.0",
        to,
        tokens: undefined,
        nonce: "n".repeat(16),
      }),
  };
}

describe("lane negotiation", () => {
  test("a route between a shm-capable and a uds-only driver goes over uds", async () => {
    const source = driver(["shm", "uds", "tcp"]);
    const target = driver(["uds"]);
    const a = agreement(source.calls, target.calls, "shm", ["shm", "uds", "tcp"]);
    const agreed = await a.run();
    assert.equal(agreed.lane, "uds");
    assert.deepEqual(target.offered, ["uds"], "shm is never offered to a driver without it");
    assert.deepEqual(source.asked[0]?.data, { kind: "uds", path: "/tmp/lane-uds" });
    assert.match(a.lines.join("\n"), /over uds, not the planned shm/);
  });

  test("a failed Offer falls back to the next preferred kind both declare", async () => {
    const source = driver(["shm", "uds", "tcp"]);
    const target = driver(["shm", "uds", "tcp"], ["shm", "uds"]);
    const a = agreement(source.calls, target.calls, "shm", ["shm", "uds", "tcp"]);
    const agreed = await a.run();
    assert.equal(agreed.lane, "tcp");
    assert.deepEqual(target.offered, ["shm", "uds", "tcp"]);
    assert.match(a.lines.join("\n"), /could not offer shm: cannot make shm here/);
    assert.equal(source.asked.length, 1, "one handshake, on the lane that was offered");
  });

  test("every Offer failing rejects with the last failure; no common kind names both lists", async () => {
    const target = driver(["uds", "tcp"], ["uds", "tcp"]);
    await assert.rejects(
      agreement(driver(["uds", "tcp"]).calls, target.calls, "uds", ["uds", "tcp"]).run(),
      /cannot make tcp here/,
    );
    const none = agreement(driver(["shm"]).calls, driver(["tcp"]).calls, "shm", ["shm", "tcp"]);
    await assert.rejects(none.run(), (e: unknown) => {
      assert.ok(e instanceof RttError);
      assert.equal(e.code, "RTT_ERR_LANE_UNAVAILABLE");
      assert.match(e.message, /declares shm.*declares tcp/);
      return true;
    });
  });

  test("candidates: the plan's lane first, inproc only when planned, unknown drivers take any", () => {
    assert.deepEqual(laneCandidates("tcp", ["shm", "inproc", "uds"], {}, {}), [
      "tcp",
      "shm",
      "uds",
    ]);
    assert.deepEqual(laneCandidates("inproc", ["inproc", "uds"], {}, {}), ["inproc", "uds"]);
    assert.deepEqual(laneCandidates("shm", ["shm", "uds", "tcp"], { lanes: ["tcp", "uds"] }, {}), [
      "uds",
      "tcp",
    ]);
  });

  test("real drivers: a shm-capable source and a uds-only target agree on uds, and bytes flow", async () => {
    const fixture = (name: string) =>
      fileURLToPath(new URL(`../../../connector-sdk/test/fixtures/${name}.ts`, import.meta.url));
    const launch = (name: string) =>
      DriverHost.launch(
        { name, command: process.execPath, args: [fixture(name)] },
        { restart: false, log: false },
      );
    const [source, target] = await Promise.all([launch("echo-driver"), launch("uds-only-driver")]);
    try {
      assert.deepEqual(target.lanes, ["uds"]);
      if (loadShm() !== undefined) assert.ok(source.lanes?.includes("shm"));
      const saddr = "rtt://demo/api/echo@1.0.0";
      const contract = { saddr, type: "api", direction: "both" } as Contract;
      const from = await source.open(saddr, { contract });
      const to = await target.open(saddr, { contract });
      const lines: string[] = [];
      const agreed = await agree({
        source: { driver: source as unknown as DriverCalls, link: from },
        target: { driver: target as unknown as DriverCalls, link: to },
        lane: "shm",
        prefer: ["shm", "uds", "tcp"],
        progress: (l) => lines.push(l),
        route: "r",
        from: saddr,
        to: { saddr, driver: "uds-only", contract_hash: contractHash(contract) } as EdgeEnd,
        tokens: undefined,
        nonce: "real-drivers-nonce",
      });
      assert.equal(agreed.lane, "uds");
      assert.match(lines.join("\n"), /over uds, not the planned shm/);
      await source.bind(from, { outbound: agreed.address });
      await source.tx(from, Buffer.from("over uds"));
      let read = 0;
      for await (const sample of target.health({ linkId: to, intervalMs: 20 })) {
        read = Number(sample.frames_in);
        if (read > 0) break;
      }
      assert.equal(read, 1, "the target read the message sent on the agreed lane");
    } finally {
      await Promise.all([source.stop(), target.stop()]);
    }
  });
});
