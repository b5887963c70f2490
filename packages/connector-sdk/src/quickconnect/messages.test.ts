// The QuickConnect control codec: round trips, named errors, and the parser's promise that any
// bytes at all either parse or fail with RTT_ERR_QC_MALFORMED — nothing else escapes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LANE_KINDS, MAX_TOKEN_CHARS, RttError, SYMBOL_TYPES } from "@rtt/core";
import { FrameType, type LaneAddress } from "@rtt/fabric";
import fc from "fast-check";
import {
  type Ack,
  type Bind,
  CONTROL_TYPES,
  type ControlMessage,
  controlKindOf,
  encodeControl,
  MAX_CONTROL_PAYLOAD,
  parseControl,
  type Syn,
} from "./messages.ts";
import { TRIP_REASONS } from "./trip.ts";

// ---------------------------------------------------------------------------------------------
// Arbitraries of valid messages

const nonce = fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/);
const seg = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,7}$/);
const saddr = fc
  .tuple(seg, fc.constantFrom(...SYMBOL_TYPES), seg, fc.nat(9), fc.nat(9), fc.nat(9))
  .map(([ns, type, name, a, b, c]) => `rtt://${ns}/${type}/${name}@${a}.${b}.${c}`);
const hash = fc.stringMatching(/^[0-9a-f]{64}$/);
const capName = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const caps = fc.uniqueArray(capName, { maxLength: 6 });
const laneKinds = fc.uniqueArray(fc.constantFrom(...LANE_KINDS), { minLength: 1 });
const ring = fc.integer({ min: 12, max: 30 }).map((e) => 2 ** e);
const path = fc.stringMatching(/^\/[a-z0-9/._-]{1,60}$/);
const ident = fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/);

const laneAddress: fc.Arbitrary<LaneAddress> = fc.oneof(
  path.map((p): LaneAddress => ({ kind: "uds", path: p })),
  fc
    .tuple(fc.constantFrom("127.0.0.1", "::1", "localhost"), fc.integer({ min: 1, max: 65535 }))
    .map(([host, port]): LaneAddress => ({ kind: "tcp", host, port })),
  fc
    .tuple(ident, path, ring)
    .map(([segment, p, capacity]): LaneAddress => ({ kind: "shm", segment, path: p, capacity })),
  ident.map((id): LaneAddress => ({ kind: "inproc", id })),
);

/** The shape of a PASETO v4.public token: body and optional footer in base64url. */
const routeToken = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/),
    fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), { nil: undefined }),
  )
  .map(([body, footer]) => `v4.public.${body}${footer === undefined ? "" : `.${footer}`}`);

const syn: fc.Arbitrary<Syn> = fc.record(
  {
    nonce,
    saddr,
    contract_hash: hash,
    caps,
    require: caps,
    lanes: laneKinds,
    max_frame: fc.integer({ min: 1, max: 0xffff_ffff }),
    heartbeat_ms: fc.integer({ min: 1, max: 3_600_000 }),
    token: routeToken,
  },
  {
    requiredKeys: [
      "nonce",
      "saddr",
      "contract_hash",
      "caps",
      "require",
      "lanes",
      "max_frame",
      "heartbeat_ms",
    ],
  },
);

const ack: fc.Arbitrary<Ack> = fc.record({
  nonce,
  caps,
  lane: fc.constantFrom(...LANE_KINDS),
  buffer: fc.record({
    capacity: fc.oneof(fc.constant(0), ring),
    max_frame: fc.integer({ min: 1, max: 0xffff_ffff }),
  }),
  heartbeat_ms: fc.integer({ min: 1, max: 3_600_000 }),
});

const bind: fc.Arbitrary<Bind> = fc.record({
  nonce,
  lanes: fc.uniqueArray(laneAddress, {
    minLength: 1,
    maxLength: 8,
    selector: (a) => JSON.stringify(a),
  }),
});

const message: fc.Arbitrary<ControlMessage> = fc.oneof(
  syn.map((body): ControlMessage => ({ kind: "SYN", body })),
  ack.map((body): ControlMessage => ({ kind: "ACK", body })),
  bind.map((body): ControlMessage => ({ kind: "BIND", body })),
  nonce.map((n): ControlMessage => ({ kind: "READY", body: { nonce: n } })),
  fc
    .record({
      nonce: fc.oneof(nonce, fc.constant("")),
      reason: fc.constantFrom(...TRIP_REASONS),
      detail: fc.string({ maxLength: 80 }),
    })
    .map((body): ControlMessage => ({ kind: "TRIP", body })),
  fc
    .record(
      {
        nonce,
        n: fc.nat(),
        ping: fc.boolean(),
        pong: fc.nat(),
      },
      { requiredKeys: ["nonce", "n"] },
    )
    .map((body): ControlMessage => {
      // `ping: false` is the same message as no ping: the encoder leaves it out.
      const { ping, ...rest } = body;
      return { kind: "HEARTBEAT", body: ping === true ? { ...rest, ping } : rest };
    }),
);

function expectMalformed(fn: () => unknown, pattern?: RegExp): RttError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RttError, `expected an RttError, got ${String(error)}`);
    assert.equal(error.code, "RTT_ERR_QC_MALFORMED", error.message);
    if (pattern !== undefined) assert.match(error.message, pattern);
    return error;
  }
  assert.fail("expected RTT_ERR_QC_MALFORMED, but it parsed");
}

/** Parses, or accepts only RTT_ERR_QC_MALFORMED. */
function parsesOrMalformed(type: number, bytes: Uint8Array): void {
  try {
    parseControl(type, bytes);
  } catch (error) {
    assert.ok(error instanceof RttError, `not an RttError: ${String(error)}`);
    assert.equal(error.code, "RTT_ERR_QC_MALFORMED");
  }
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

const SYN_BODY = {
  v: 1,
  nonce: "n0nce-0001",
  saddr: "rtt://core/api/metrics@1.2.0",
  contract_hash: "a".repeat(64),
  caps: ["json", "gzip"],
  require: [],
  lanes: ["shm", "uds"],
  max_frame: 1024,
  heartbeat_ms: 1000,
};

// ---------------------------------------------------------------------------------------------

describe("control messages", () => {
  test("control frame types are the new FrameType entries (and HEARTBEAT)", () => {
    assert.deepEqual(CONTROL_TYPES, {
      SYN: FrameType.SYN,
      ACK: FrameType.ACK,
      BIND: FrameType.BIND,
      READY: FrameType.READY,
      TRIP: FrameType.TRIP,
      HEARTBEAT: FrameType.HEARTBEAT,
    });
    assert.equal(controlKindOf(FrameType.DATA), undefined);
    assert.equal(controlKindOf(FrameType.EOS), undefined);
    assert.equal(controlKindOf(FrameType.NACK), undefined);
  });

  test("every valid message survives encode → parse unchanged", () => {
    fc.assert(
      fc.property(message, (m) => {
        const { type, payload } = encodeControl(m);
        // (fast-check makes null-prototype records; the parser makes plain objects.)
        assert.deepEqual(parseControl(type, payload), JSON.parse(JSON.stringify(m)));
      }),
      { numRuns: 500 },
    );
  });

  test("encoding is deterministic: equal messages are equal bytes", () => {
    fc.assert(
      fc.property(message, (m) => {
        const copy = JSON.parse(JSON.stringify(m)) as ControlMessage;
        assert.deepEqual(encodeControl(m).payload, encodeControl(copy).payload);
      }),
    );
  });

  test("a SYN is compact: a few hundred bytes", () => {
    const { payload } = encodeControl({
      kind: "SYN",
      body: { ...SYN_BODY, lanes: ["shm", "uds"] },
    });
    assert.ok(payload.length < 300, `${payload.length} bytes`);
  });

  test("unknown fields are ignored", () => {
    const m = parseControl(FrameType.READY, json({ v: 1, nonce: "n0nce-0001", later: [1, 2] }));
    assert.deepEqual(m, { kind: "READY", body: { nonce: "n0nce-0001" } });
  });

  test("each kind of damage is named: field, what was expected, what was found", () => {
    const cases: Array<[number, Uint8Array, RegExp]> = [
      [FrameType.DATA, json({}), /frame type 1 is not a QuickConnect control frame/],
      [FrameType.SYN, new Uint8Array(), /SYN payload is not UTF-8 JSON/],
      [FrameType.SYN, Uint8Array.of(0x7b, 0xff, 0x7d), /SYN payload is not UTF-8 JSON/],
      [FrameType.SYN, json([1]), /SYN payload: expected a JSON object, found \[1\]/],
      [FrameType.SYN, json({ ...SYN_BODY, v: 2 }), /SYN\.v: expected version 1, found 2/],
      [FrameType.SYN, json({ ...SYN_BODY, v: undefined }), /SYN\.v: expected .* found nothing/],
      [FrameType.SYN, json({ ...SYN_BODY, nonce: "short" }), /SYN\.nonce: expected a nonce/],
      [FrameType.SYN, json({ ...SYN_BODY, saddr: "rtt://core/api/metrics@1" }), /SYN\.saddr/],
      [FrameType.SYN, json({ ...SYN_BODY, contract_hash: "ABC" }), /SYN\.contract_hash: .*SHA-256/],
      [
        FrameType.SYN,
        json({ ...SYN_BODY, caps: ["json", 42] }),
        /SYN\.caps\[1\]: expected a capability name .* found 42/,
      ],
      [
        FrameType.SYN,
        json({ ...SYN_BODY, caps: ["json", "json"] }),
        /SYN\.caps\[1\]: "json" is listed twice/,
      ],
      [
        FrameType.SYN,
        json({ ...SYN_BODY, lanes: [] }),
        /SYN\.lanes: expected a list of 1 to 4 items/,
      ],
      [
        FrameType.SYN,
        json({ ...SYN_BODY, lanes: ["pigeon"] }),
        /SYN\.lanes\[0\]: expected a lane kind/,
      ],
      [FrameType.SYN, json({ ...SYN_BODY, max_frame: 1.5 }), /SYN\.max_frame: expected an integer/],
      [FrameType.SYN, json({ ...SYN_BODY, heartbeat_ms: 0 }), /SYN\.heartbeat_ms/],
      [FrameType.SYN, json({ ...SYN_BODY, token: 42 }), /SYN\.token: expected a route token/],
      [FrameType.SYN, json({ ...SYN_BODY, token: "" }), /SYN\.token: expected a route token/],
      [FrameType.SYN, json({ ...SYN_BODY, token: "v2.local.abc" }), /SYN\.token: expected/],
      [FrameType.SYN, json({ ...SYN_BODY, token: "v4.public.a b" }), /SYN\.token: expected/],
      [FrameType.SYN, json({ ...SYN_BODY, token: "v4.public.a.b.c" }), /SYN\.token: expected/],
      [
        FrameType.SYN,
        json({ ...SYN_BODY, token: `v4.public.${"a".repeat(MAX_TOKEN_CHARS)}` }),
        /SYN\.token: expected a route token \(v4\.public\.…, at most 8192 characters\)/,
      ],
      [
        FrameType.ACK,
        json({
          v: 1,
          nonce: "n0nce-0001",
          caps: [],
          lane: "shm",
          buffer: { capacity: 5000, max_frame: 10 },
          heartbeat_ms: 5,
        }),
        /ACK\.buffer\.capacity: expected a power of two from 4096 to 2\^30, or 0, found 5000/,
      ],
      [
        FrameType.BIND,
        json({ v: 1, nonce: "n0nce-0001", lanes: [{ kind: "tcp", host: "127.0.0.1", port: 0 }] }),
        /BIND\.lanes\[0\]\.port: expected an integer from 1 to 65535, found 0/,
      ],
      [
        FrameType.BIND,
        json({ v: 1, nonce: "n0nce-0001", lanes: ["uds"] }),
        /BIND\.lanes\[0\]: expected a lane address object/,
      ],
      [
        FrameType.TRIP,
        json({ v: 1, nonce: "", reason: "bored", detail: "" }),
        /TRIP\.reason: expected one of contract-mismatch, caps-missing/,
      ],
      [
        FrameType.HEARTBEAT,
        json({ v: 1, nonce: "n0nce-0001", n: 1, ping: "yes" }),
        /HEARTBEAT\.ping: expected true or false, found "yes"/,
      ],
      [
        FrameType.READY,
        new Uint8Array(MAX_CONTROL_PAYLOAD + 1),
        /READY payload is 65537 bytes, expected at most 65536/,
      ],
    ];
    for (const [type, bytes, pattern] of cases)
      expectMalformed(() => parseControl(type, bytes), pattern);
  });

  test("a nonce only inherited through __proto__ is missing", () => {
    expectMalformed(
      () =>
        parseControl(FrameType.READY, Buffer.from('{"v":1,"__proto__":{"nonce":"n0nce-0001"}}')),
      /READY\.nonce: expected a nonce .* found nothing/,
    );
  });
});

describe("the parser takes any bytes: a message or RTT_ERR_QC_MALFORMED, nothing else", () => {
  const controlType = fc.constantFrom(...Object.values(CONTROL_TYPES));

  test("random bytes, any frame type", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: 300 }),
        (type, bytes) => parsesOrMalformed(type, bytes),
      ),
      { numRuns: 1000 },
    );
  });

  test("any JSON value as a payload", () => {
    fc.assert(
      fc.property(controlType, fc.jsonValue(), (type, value) =>
        parsesOrMalformed(type, Buffer.from(JSON.stringify(value) ?? "null")),
      ),
      { numRuns: 1000 },
    );
  });

  test("valid messages with one field replaced by anything", () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.jsonValue(), (m, pick, value) => {
        const { type, payload } = encodeControl(m);
        const obj = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
        const keys = Object.keys(obj);
        const key = keys[pick % keys.length] ?? "v";
        obj[key] = value;
        parsesOrMalformed(type, json(obj));
      }),
      { numRuns: 1000 },
    );
  });

  test("valid messages with bytes flipped, cut or appended", () => {
    fc.assert(
      fc.property(
        message,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (m, edits, cut) => {
          const { type, payload } = encodeControl(m);
          const bytes = Buffer.from(payload);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          parsesOrMalformed(type, bytes);
          parsesOrMalformed(type, bytes.subarray(0, cut % (bytes.length + 1)));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
