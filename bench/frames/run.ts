/**
 * bench/frames — what RTT's frame codec costs, against a plain peer in the same run.
 *
 * Each case encodes and then decodes N frames (1,000,000 of 64 B, 100,000 of 64 KiB):
 *   rtt              encodeFrame + decodeFrame (header CRC, no payload CRC)
 *   rtt_into         encodeFrameInto a preallocated buffer (the shm ring's path) + decodeFrame
 *   rtt_payload_crc  encodeFrame + decodeFrame with FrameFlag.PAYLOAD_CRC
 *   peer             Buffer.concat([header, payload]) written with writeUInt*LE, parsed with
 *                    readUInt*LE and checked for magic, version and length, no CRC at all
 * plus `header_crc_ns`, the header CRC alone. `gbps` counts payload bytes only (bytes/ns = GB/s).
 * Prints one JSON line. Usage: node bench/frames/run.ts [--small N] [--large N]
 */
import { parseArgs } from "node:util";
import {
  decodeFrame,
  encodeFrame,
  encodeFrameInto,
  type Frame,
  FrameFlag,
  FrameType,
  frameSize,
  headerCrc,
} from "@rtt/fabric";

const { values } = parseArgs({
  options: {
    small: { type: "string", default: "1000000" },
    large: { type: "string", default: "100000" },
  },
});

function peerEncode(f: Frame): Buffer {
  const h = Buffer.allocUnsafe(32);
  h.writeUInt16LE(0x5452, 0);
  h.writeUInt8(1, 2);
  h.writeUInt8(f.type, 3);
  h.writeUInt16LE(f.flags, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt32LE(f.payload.length, 8);
  h.writeUInt32LE(0, 12);
  h.writeUInt32LE(f.seq >>> 0, 16);
  h.writeUInt32LE(Math.floor(f.seq / 2 ** 32), 20);
  h.writeUInt32LE(f.correlation >>> 0, 24);
  h.writeUInt32LE(Math.floor(f.correlation / 2 ** 32), 28);
  return Buffer.concat([h, f.payload], 32 + f.payload.length);
}

function peerDecode(b: Buffer): Frame {
  if (b.readUInt16LE(0) !== 0x5452 || b.readUInt8(2) !== 1) throw new Error("bad frame");
  const length = b.readUInt32LE(8);
  if (b.length !== 32 + length) throw new Error("bad length");
  return {
    type: b.readUInt8(3),
    flags: b.readUInt16LE(4),
    seq: b.readUInt32LE(20) * 2 ** 32 + b.readUInt32LE(16),
    correlation: b.readUInt32LE(28) * 2 ** 32 + b.readUInt32LE(24),
    payload: b.subarray(32, 32 + length),
  };
}

type RoundTrip = (f: Frame) => Frame;

function cases(payloadSize: number): Record<string, RoundTrip> {
  const ring = Buffer.allocUnsafe(frameSize(payloadSize, FrameFlag.PAYLOAD_CRC));
  return {
    rtt: (f) => decodeFrame(encodeFrame(f)),
    rtt_into: (f) => {
      const n = encodeFrameInto(ring, 0, f);
      return decodeFrame(ring.subarray(0, n));
    },
    rtt_payload_crc: (f) => decodeFrame(encodeFrame({ ...f, flags: FrameFlag.PAYLOAD_CRC })),
    peer: (f) => peerDecode(peerEncode(f)),
  };
}

let sink = 0;

function time(count: number, payloadSize: number, roundTrip: RoundTrip): number {
  const payload = Buffer.alloc(payloadSize, 0xab);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const f = roundTrip({ type: FrameType.DATA, flags: 0, seq: i, correlation: 7, payload });
    sink += f.seq + f.payload.length;
  }
  return Number(process.hrtime.bigint() - start) / count;
}

function measure(count: number, payloadSize: number) {
  const out: Record<string, { ns: number; gbps: number }> = {};
  const all = cases(payloadSize);
  // Warm every case up first so the JIT has settled before any timing.
  for (const roundTrip of Object.values(all)) time(Math.min(count, 20_000), payloadSize, roundTrip);
  for (const [name, roundTrip] of Object.entries(all)) {
    const ns = time(count, payloadSize, roundTrip);
    out[name] = {
      ns: Math.round(ns * 10) / 10,
      gbps: Math.round((payloadSize / ns) * 1000) / 1000,
    };
  }
  return { frames: count, payload_bytes: payloadSize, ...out };
}

function headerCrcNs(): number {
  const header = encodeFrame({
    type: 1,
    flags: 0,
    seq: 1,
    correlation: 2,
    payload: new Uint8Array(),
  });
  const n = 2_000_000;
  for (let i = 0; i < 100_000; i++) sink ^= headerCrc(header, 0);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    header[16] = i;
    sink ^= headerCrc(header, 0);
  }
  return Math.round((Number(process.hrtime.bigint() - start) / n) * 10) / 10;
}

const result = {
  bench: "frames",
  node: process.version,
  header_crc_ns: headerCrcNs(),
  small: measure(Number(values.small), 64),
  large: measure(Number(values.large), 64 * 1024),
  sink: sink > 0,
};
console.log(JSON.stringify(result));
