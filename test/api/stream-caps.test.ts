/**
 * A bounded panel API (issue 15, finding 7): 4,000 Health and Audit-follow streams opened at
 * once against a real panel (the quickstart, wired). The panel takes as many as panel.yaml's
 * `api.max_streams` (and `api.max_streams_per_connection` on one connection) and refuses the
 * rest at once with RESOURCE_EXHAUSTED; `Status` still answers while they are open; once they
 * are cancelled the panel's resident memory returns to its baseline (± 20 %).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import {
  grpcTarget,
  LOCAL_CHANNEL_OPTIONS,
  type PanelClient,
  panelPackage,
} from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

/** panel.yaml's defaults (README §panel.yaml). */
const MAX_STREAMS = 1024;
const MAX_PER_CONNECTION = 256;
const TOTAL = 4000;
/** Clients (each its own connection): TOTAL / CLIENTS stays under the per-connection cap. */
const CLIENTS = 16;

let panel: QuickstartPanel;
let pid: number;

before(async () => {
  panel = await startQuickstartPanel();
  const probe = client();
  pid = (await status(probe)).pid;
  probe.close();
});

after(async () => {
  await panel?.stop();
});

/** A client on a connection of its own (grpc-js shares one between equal channels otherwise). */
function client(): PanelClient {
  return new (panelPackage().Panel)(grpcTarget(panel.socket), grpc.credentials.createInsecure(), {
    ...LOCAL_CHANNEL_OPTIONS,
    "grpc.use_local_subchannel_pool": 1,
  });
}

function status(c: PanelClient): Promise<{ pid: number }> {
  return new Promise((resolve, reject) =>
    c.Status({}, { deadline: Date.now() + 60_000 }, (error, answer) =>
      error === null && answer !== undefined ? resolve(answer) : reject(error),
    ),
  );
}

/** The panel's resident memory in KiB (/proc/<pid>/status VmRSS). */
function rssKib(): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  assert.ok(line, "VmRSS in /proc/<pid>/status");
  return Number(line[1]);
}

/** How a stream fared: it streamed (got a message), or ended with this status. */
type Outcome = "streaming" | grpc.status;

interface Opened {
  readonly call: grpc.ClientReadableStream<unknown>;
  readonly outcome: Promise<Outcome>;
}

/** Opens a Health stream (odd `i`) or an Audit follow (even `i`) on `c`. */
function open(c: PanelClient, i: number): Opened {
  const call =
    i % 2 === 0
      ? c.Audit({ route: "", limit: 1, follow: true })
      : c.Health({ route: "", interval_ms: 1000 });
  const outcome = new Promise<Outcome>((resolve) => {
    call.once("data", () => resolve("streaming"));
    call.once("error", (e: grpc.ServiceError) => resolve(e.code));
  });
  // After cancel() a stream ends with CANCELLED: nothing to report any more.
  call.on("error", () => {});
  return { call, outcome };
}

/** A grpc.health.v1 Watch of the whole server, on `c`'s connection (its messages left raw). */
function healthWatch(c: PanelClient): Opened {
  const generic = new grpc.Client("unused", grpc.credentials.createInsecure(), {
    channelOverride: c.getChannel(),
  });
  const call = generic.makeServerStreamRequest(
    "/grpc.health.v1.Health/Watch",
    () => Buffer.alloc(0), // HealthCheckRequest { service: "" }: every field at its default
    (bytes: Buffer) => bytes,
    {},
  );
  const outcome = new Promise<Outcome>((resolve) => {
    call.once("data", () => resolve("streaming"));
    call.once("error", (e: grpc.ServiceError) => resolve(e.code));
  });
  call.on("error", () => {});
  return { call, outcome };
}

async function openMany(c: PanelClient, n: number, from: number): Promise<Opened[]> {
  return Array.from({ length: n }, (_, k) => open(c, from + k));
}

function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o === "streaming" ? o : grpc.status[o];
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

async function settle(opened: readonly Opened[]): Promise<Record<string, number>> {
  return tally(await Promise.all(opened.map((o) => o.outcome)));
}

function cancelAll(opened: readonly Opened[]): void {
  for (const o of opened) o.call.cancel();
}

/** RSS once it stops moving: the median of a few reads a little apart. */
async function steadyRss(): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 5; i++) {
    reads.push(rssKib());
    await new Promise((r) => setTimeout(r, 200));
  }
  return reads.sort((a, b) => a - b)[2] ?? 0;
}

/** Opens TOTAL streams spread over `clients`, and how each fared once all did. */
async function round(clients: readonly PanelClient[]) {
  const per = TOTAL / clients.length;
  const opened = (await Promise.all(clients.map((c, k) => openMany(c, per, k * per)))).flat();
  return { opened, counts: await settle(opened) };
}

describe("4,000 concurrent streams", () => {
  it("takes up to the caps, refuses the rest with RESOURCE_EXHAUSTED, and gives the memory back", async () => {
    const clients = Array.from({ length: CLIENTS }, client);
    try {
      // Warm-up: two full rounds, then the baseline once RSS stopped moving: it holds what V8
      // keeps once it has grown its heap for this load. A stream that leaks shows as growth
      // after the next round.
      for (let i = 0; i < 2; i++) cancelAll((await round(clients)).opened);
      await status(clients[0] as PanelClient);
      let previous = await steadyRss();
      const baseline = await eventually(
        async () => {
          const now = await steadyRss();
          const settled = Math.abs(now - previous) <= previous * 0.03;
          previous = now;
          return settled && now;
        },
        { what: "the panel's RSS to settle after the warm-up", timeoutMs: 60_000, intervalMs: 500 },
      );

      const { opened, counts } = await round(clients);
      assert.deepEqual(counts, {
        streaming: MAX_STREAMS,
        RESOURCE_EXHAUSTED: TOTAL - MAX_STREAMS,
      });
      // Status answers with every stream the panel takes open (a unary call is not a stream).
      assert.equal((await status(clients[1] as PanelClient)).pid, pid);
      const peak = rssKib();
      cancelAll(opened);

      await eventually(
        async () => {
          const now = await steadyRss();
          return Math.abs(now - baseline) <= baseline * 0.2;
        },
        {
          what: `the panel's RSS back within 20 % of its baseline ${baseline} kB`,
          timeoutMs: 60_000,
          intervalMs: 500,
          detail: () => `baseline ${baseline} kB, peak ${peak} kB, now ${rssKib()} kB`,
        },
      );

      // The slots were given back: new streams are taken again.
      const again = await openMany(clients[2] as PanelClient, 10, 0);
      assert.deepEqual(await settle(again), { streaming: 10 });
      cancelAll(again);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it("refuses streams beyond the per-connection cap on one connection", async () => {
    const c = client();
    try {
      const opened = await openMany(c, MAX_PER_CONNECTION + 40, 0);
      assert.deepEqual(await settle(opened), {
        streaming: MAX_PER_CONNECTION,
        RESOURCE_EXHAUSTED: 40,
      });
      // Every service's streams count: a grpc.health.v1 Watch on this connection is refused too.
      assert.equal(await healthWatch(c).outcome, grpc.status.RESOURCE_EXHAUSTED);
      // Another connection is not held to this one's count.
      const other = client();
      const more = [...(await openMany(other, 10, 0)), healthWatch(other)];
      assert.deepEqual(await settle(more), { streaming: 11 });
      cancelAll(more);
      other.close();
      cancelAll(opened);
      // The refusals are in the panel's log with who made them — a few lines, not thousands.
      const log = readFileSync(join(panel.root, ".rtt", "panel.log"), "utf8");
      const refused = log.split("\n").filter((l) => l.includes("refused a stream from"));
      assert.ok(
        refused.some((l) => /from uid=\d+\(?.*: stream refused: .*\(api\.max_streams/.test(l)),
        refused.slice(-3).join("\n"),
      );
      assert.ok(refused.length < 1000, `${refused.length} lines for ~9,000 refused streams`);
    } finally {
      c.close();
    }
  });
});
