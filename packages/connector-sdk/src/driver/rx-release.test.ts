// ConnectorSpec.rxRelease through a real link: the outbound pump gives a chunk back only once the
// lane has its own copy, so a connector that reuses the memory at once never garbles a frame.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually } from "@rtt/core/testing";
import {
  decodeBatch,
  FrameFlag,
  type LaneKind,
  type LaneReader,
  listenReader,
  listenWriter,
} from "@rtt/fabric";
import { defineConnector } from "./define-connector.ts";
import { DriverRuntime } from "./runtime.ts";

const SADDR = "rtt://demo/bus/reused@1.0.0";
const CONTRACT = JSON.stringify({ saddr: SADDR, type: "api", direction: "both" });
const CHUNKS = 300;

/** Chunk k: small ones (batched) and large ones (a frame each), each byte k % 251. */
function chunk(k: number): Uint8Array {
  return new Uint8Array(k % 3 === 0 ? 20_000 : 100 + k).fill(k % 251);
}

/** A source whose released chunks are written over at once, as a reused read buffer would be. */
function reusingSource() {
  const released: number[] = [];
  const connector = defineConnector<object>({
    name: "reusing",
    version: "1.0.0",
    probe: () => [],
    open: () => ({}),
    tx: () => {},
    async *rx() {
      for (let k = 0; k < CHUNKS; k++) yield chunk(k);
    },
    rxRelease: (_link, bytes) => {
      released.push(bytes.length);
      bytes.fill(0xee);
    },
    close: () => {},
    health: () => ({ ok: true, lag_ms: 0 }),
  });
  return { connector, released };
}

/** Every message `reader` delivers, copied, batch frames unpacked. */
function collect(reader: LaneReader): Uint8Array[] {
  const got: Uint8Array[] = [];
  reader.on("frame", (frame: { payload: Uint8Array; flags: number }) => {
    if (frame.flags & FrameFlag.BATCH)
      decodeBatch(frame.payload, (m) => got.push(new Uint8Array(m)));
    else got.push(new Uint8Array(frame.payload));
  });
  return got;
}

async function wire(kind: LaneKind) {
  const source = reusingSource();
  const runtime = new DriverRuntime(source.connector, { log: () => {} });
  const id = await runtime.open(SADDR, CONTRACT, {});
  const inbound = await listenWriter(kind);
  const outbound = await listenReader(kind);
  await runtime.bind(id, inbound.address, outbound.address);
  const got = collect(await outbound.accepted);
  await eventually(() => got.length >= CHUNKS, { what: `the ${CHUNKS} chunks off the lane` });
  for (const [k, message] of got.entries())
    assert.deepEqual(message, chunk(k), `chunk ${k} arrived as it was yielded`);
  (await inbound.accepted).destroy();
  await runtime.dispose();
  return source.released;
}

describe("rxRelease", () => {
  test("over lanes that copy (shm, uds): every chunk is released, after the lane took it", {
    timeout: 20_000,
  }, async () => {
    for (const kind of ["shm", "uds"] as const) {
      const released = await wire(kind);
      assert.equal(released.length, CHUNKS, `${kind}: each chunk released once`);
    }
  });

  test("over an in-process lane, which keeps what it is given: nothing is released", {
    timeout: 20_000,
  }, async () => {
    assert.deepEqual(await wire("inproc"), []);
  });
});
