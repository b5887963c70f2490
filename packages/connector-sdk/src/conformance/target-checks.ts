/**
 * The target side of a route (docs/connectors.md §7–9): Offer with the QuickConnect handshake,
 * answered by this check as the route's source, then frames on the data lane the driver reads;
 * a SYN expecting another contract refused; the delivered mark of a journaled route.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RttError } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  type LaneAddress,
  type LaneEnd,
  type LaneKind,
} from "@rtt/fabric";
import { readDeliveredMark } from "../driver/route-journal.ts";
import type { DriverHost } from "../host/driver-host.ts";
import { initiate } from "../quickconnect/session.ts";
import { sampleUntil } from "./link-health.ts";
import { CheckFailed, expect } from "./report.ts";
import type { CheckSymbol } from "./symbol.ts";

/** The source address the check poses as in its SYNs. */
export const CHECK_SOURCE = "rtt://rtt-check/proc/check@0.0.0";

async function open(host: DriverHost, s: CheckSymbol, params = s.params): Promise<string> {
  return host.open(s.saddr, { contract: s.contract, contractHash: s.contractHash, params });
}

/** SYN → ACK → BIND → READY toward what the target offered; resolves with the ACK. */
async function handshake(
  offered: { address: LaneAddress; control: { requests: LaneAddress; answers: LaneAddress } },
  contractHash: string,
  kind: LaneKind,
) {
  const writer = quiet(await connectWriter(offered.control.requests));
  const reader = quiet(await connectReader(offered.control.answers));
  const session = initiate<LaneAddress>(
    { writer, reader },
    {
      saddr: CHECK_SOURCE,
      contractHash,
      lanes: [kind],
      bind: async () => ({ lanes: [offered.address], value: offered.address }),
    },
  );
  try {
    return (await session.ready).ack;
  } finally {
    session.close();
  }
}

/** A lane end whose failure the check reads from its outcome, not from an 'error' event. */
function quiet<E extends LaneEnd>(end: E): E {
  end.on("error", () => {});
  return end;
}

/** Offer(INBOUND, kind, handshake), the handshake, `count` frames: all read by the driver. */
export async function checkTargetLane(
  host: DriverHost,
  s: CheckSymbol,
  kind: LaneKind,
  message: (i: number) => Uint8Array,
  count: number,
): Promise<string> {
  const link = await open(host, s);
  try {
    const offered = await host.client.offerWithHandshake(link, kind);
    expect(offered.address.kind === kind, `Offer(${kind}) answered a ${offered.address.kind} lane`);
    const ack = await handshake(offered, s.contractHash, kind);
    expect(ack.lane === kind, `ACK agreed lane ${ack.lane}, not ${kind}`);
    expect(ack.heartbeat_ms >= 10, `ACK's heartbeat_ms ${ack.heartbeat_ms} is below 10`);
    const data = quiet(await connectWriter(offered.address));
    for (let i = 1; i <= count; i++) data.write(message(i), { correlation: i });
    await sampleUntil(
      host,
      link,
      (h) => Number(h.frames_in) >= count,
      8000,
      (h) => `the driver read ${h?.frames_in ?? 0} of ${count} DATA frames`,
    );
    await data.end();
    return `READY (lane ${ack.lane}, max_frame ${ack.buffer.max_frame}, heartbeat ${ack.heartbeat_ms} ms); ${count} frames read`;
  } finally {
    await host.close(link);
  }
}

/** A SYN expecting another contract hash gets TRIP contract-mismatch (RTT_ERR_QC_REFUSED). */
export async function checkContractRefusal(host: DriverHost, s: CheckSymbol): Promise<string> {
  const link = await open(host, s);
  try {
    const offered = await host.client.offerWithHandshake(link, "uds");
    const wrong = s.contractHash === "0".repeat(64) ? "1".repeat(64) : "0".repeat(64);
    try {
      await handshake(offered, wrong, "uds");
    } catch (error) {
      expect(
        error instanceof RttError && error.code === "RTT_ERR_QC_REFUSED",
        `a SYN for another contract failed otherwise: ${String(error)}`,
      );
      return `a SYN for another contract: ${error.message}`;
    }
    throw new CheckFailed("a SYN expecting another contract hash reached READY");
  } finally {
    await host.close(link);
  }
}

/** At a journaled route's target end, each message taken is recorded in `delivered`. */
export async function checkDeliveredMark(
  host: DriverHost,
  s: CheckSymbol,
  message: (i: number) => Uint8Array,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "rtt-check-journal-"));
  const params = {
    ...s.params,
    "qos.source": CHECK_SOURCE,
    "qos.rate": "100000",
    "qos.burst": "100000",
    "qos.drop": "buffer",
    "qos.buffer": "100",
    "qos.journal": dir,
  };
  const link = await open(host, s, params);
  try {
    const offered = await host.client.offerWithHandshake(link, "uds");
    await handshake(offered, s.contractHash, "uds");
    const data = quiet(await connectWriter(offered.address));
    // Correlation ids are the source's journal offsets.
    for (const [i, offset] of [10, 20, 30].entries())
      data.write(message(i + 1), { correlation: offset });
    await sampleUntil(
      host,
      link,
      (h) => Number(h.frames_in) >= 3 && readDeliveredMark(dir) === 30,
      8000,
      () =>
        `after 3 messages (offsets 10, 20, 30) the delivered mark reads ${readDeliveredMark(dir)}`,
    );
    await data.end();
    return "the delivered mark reads 30 after the messages with offsets 10, 20, 30";
  } finally {
    await host.close(link);
    rmSync(dir, { recursive: true, force: true });
  }
}
