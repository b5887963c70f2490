import assert from "node:assert/strict";
import { test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  encodeFrame,
  FRAME_KINDS,
  FRAME_MAX_LENGTH,
  type Frame,
  FrameDecoder,
  type FrameKind,
} from "./frame.ts";
import {
  decodeErrorBody,
  decodeRequestBody,
  encodeErrorBody,
  encodeRequestBody,
} from "./messages.ts";
import { panelMethodTable } from "./protobuf-methods.ts";

const anyFrame: fc.Arbitrary<Frame> = fc.record({
  kind: fc.constantFrom(...(Object.keys(FRAME_KINDS) as FrameKind[])),
  callId: fc.nat({ max: 0xffffffff }),
  methodId: fc.nat({ max: 0xffff }),
  body: fc.uint8Array({ maxLength: 300 }),
});

/** `bytes` cut at `cuts` (positions, any order, repeats allowed). */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

const plain = (f: Frame) => ({ ...f, body: Buffer.from(f.body).toString("hex") });

test("frames: any frames, cut into any chunks, decode to the same frames (property)", () => {
  fc.assert(
    fc.property(
      fc.array(anyFrame, { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, cuts) => {
        const bytes = Buffer.concat(frames.map(encodeFrame));
        const decoder = new FrameDecoder();
        const got = chunked(bytes, cuts).flatMap((c) => decoder.push(c));
        assert.deepEqual(got.map(plain), frames.map(plain));
        assert.equal(decoder.buffered, 0);
      },
    ),
  );
});

test("frames: any bytes in any chunks give frames, then at most one typed error (property)", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (raw, cuts) => {
        const decoder = new FrameDecoder();
        let failed: unknown;
        for (const c of chunked(Buffer.from(raw), cuts)) {
          try {
            for (const f of decoder.push(c)) assert.ok(FRAME_KINDS[f.kind] !== undefined);
          } catch (e) {
            assert.ok(e instanceof RttError, String(e));
            assert.match(e.code, /^RTT_ERR_FRAME_(CORRUPT|OVERSIZED)$/);
            if (failed !== undefined) assert.equal(e, failed, "one error, the same each time");
            failed = e;
          }
        }
      },
    ),
  );
});

test("frames: a length past the maximum is refused before its bytes arrive", () => {
  const header = Buffer.alloc(11);
  header.writeUInt32BE(FRAME_MAX_LENGTH + 1, 0);
  header.writeUInt8(FRAME_KINDS.request, 4);
  assert.throws(
    () => new FrameDecoder().push(header),
    (e) => e instanceof RttError && e.code === "RTT_ERR_FRAME_OVERSIZED",
  );
});

test("request bodies: any metadata and message round-trip; any bytes decode or fail typed (property)", () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
      fc.uint8Array({ maxLength: 100 }),
      fc.uint8Array({ maxLength: 60 }),
      (metadata, message, junk) => {
        const back = decodeRequestBody(encodeRequestBody(metadata, message));
        assert.deepEqual(back.metadata, { ...metadata });
        assert.deepEqual(Buffer.from(back.message), Buffer.from(message));
        try {
          decodeRequestBody(junk);
        } catch (e) {
          assert.ok(e instanceof RttError && e.code === "RTT_ERR_FRAME_CORRUPT", String(e));
        }
        const error = decodeErrorBody(junk);
        assert.ok(error instanceof RttError);
      },
    ),
  );
});

test("error bodies carry the code, message and hint", () => {
  const sent = new RttError("RTT_ERR_PLAN_STALE", "the plan is stale", { hint: "rtt plan" });
  const got = decodeErrorBody(encodeErrorBody(sent));
  assert.deepEqual([got.code, got.message, got.hint], [sent.code, sent.message, sent.hint]);
});

test("method ids follow panel.proto's order; messages round-trip as proto-loader's objects", () => {
  const { byId, byName } = panelMethodTable();
  assert.deepEqual(
    byId.slice(0, 3).map((m) => m.name),
    ["Status", "ApplyPlan", "ListRoutes"],
  );
  assert.equal(byName.get("Health")?.responseStream, true);
  const trip = byName.get("Trip");
  assert.ok(trip);
  assert.deepEqual(trip.decodeRequest(trip.encodeRequest({ route: "r1", who: "me" })), {
    route: "r1",
    who: "me",
    why: "",
  });
});

test("a metadata key named __proto__ stays a key, and the prototype stays Object's", () => {
  const sent = JSON.parse('{"__proto__":"x","authorization":"Bearer t"}') as Record<string, string>;
  const back = decodeRequestBody(encodeRequestBody(sent, new Uint8Array())).metadata;
  assert.deepEqual(back, { ...sent });
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
});
