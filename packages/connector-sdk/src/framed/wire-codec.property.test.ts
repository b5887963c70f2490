/**
 * The client's codec (wire-codec.ts) against protobufjs, the panel's: for every message of
 * panel.proto, any value reads back as protobufjs reads it — the same object, in the same key
 * order — whichever side wrote it; any bytes give an object or a typed error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core/errors.ts";
import fc from "fast-check";
import type protobuf from "protobufjs/light.js";
import { PANEL_SERVICE, panelDescriptor } from "./messages.ts";
import { panelMethodTable, panelRoot, TO_OBJECT } from "./protobuf-methods.ts";
import { messageCodecs } from "./wire-codec.ts";
import { clientMethodTable } from "./wire-methods.ts";

const root = panelRoot();
const codecs = messageCodecs(panelDescriptor());
const types = [...codecs.keys()];

/** Values of each scalar type as proto-loader's objects hold them. */
const SCALAR: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  string: fc.string({ unit: "grapheme", maxLength: 12 }),
  bytes: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
  bool: fc.boolean(),
  uint32: fc.integer({ min: 0, max: 0xffffffff }),
  int32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  uint64: fc.oneof(fc.nat(1000), fc.maxSafeNat()),
  int64: fc.maxSafeInteger(),
  double: fc.double(),
};

/** Any value of `type`: each field present or not (absent ones read back as defaults). */
function anyValue(type: protobuf.Type, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of type.fieldsArray) {
    const one =
      f.resolvedType === null
        ? SCALAR[f.type]
        : depth < 3
          ? anyValue(f.resolvedType as protobuf.Type, depth + 1)
          : undefined;
    if (one === undefined) throw new Error(`no values for ${type.name}.${f.name} (${f.type})`);
    fields[f.name] = f.map
      ? fc.dictionary(fc.string({ maxLength: 6 }), one, { maxKeys: 3 })
      : f.repeated
        ? fc.array(one, { maxLength: 3 })
        : one;
  }
  return fc.record(fields, { requiredKeys: [] });
}

/** The object protobufjs reads from `bytes`, as proto-loader's options give it. */
const protobufRead = (type: protobuf.Type, bytes: Uint8Array) =>
  type.toObject(type.decode(bytes), TO_OBJECT);

/** An object's shape with its key order (deepEqual ignores order; the CLI's JSON does not). */
const ordered = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (Number.isNaN(v) ? "NaN" : v));

describe("the client's codec reads and writes what protobufjs does", () => {
  for (const name of types) {
    const type = root.lookupType(name);
    const codec = codecs.get(name);
    assert.ok(codec);

    test(`${name}: the same object from protobufjs's bytes, and protobufjs reads its bytes`, () => {
      fc.assert(
        fc.property(anyValue(type), (value) => {
          const expected = protobufRead(type, type.encode(type.fromObject(value)).finish());
          const read = codec.decode(type.encode(type.fromObject(value)).finish());
          assert.deepStrictEqual(read, expected);
          assert.equal(ordered(read), ordered(expected));
          assert.deepStrictEqual(protobufRead(type, codec.encode(value)), expected);
        }),
        { numRuns: 150 },
      );
    });
  }

  test("any bytes: an object or RTT_ERR_FRAME_CORRUPT, never another error", () => {
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 64 }), (name, bytes) => {
        try {
          codecs.get(name)?.decode(bytes);
        } catch (e) {
          assert.ok(e instanceof RttError && e.code === "RTT_ERR_FRAME_CORRUPT", String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });

  test("the client's method table has the panel's methods, ids and message types", () => {
    const client = clientMethodTable().byId;
    const panel = panelMethodTable().byId;
    assert.deepEqual(
      client.map((m) => [m.id, m.name, m.responseStream]),
      panel.map((m) => [m.id, m.name, m.responseStream]),
    );
    const service = root.lookupService(PANEL_SERVICE);
    for (const m of client) {
      const method = service.methods[m.name];
      assert.ok(method?.resolvedResponseType);
      // An empty message is the defaults of the response type, on both sides.
      assert.deepStrictEqual(
        m.decodeResponse(new Uint8Array()),
        panel[m.id]?.decodeResponse(new Uint8Array()),
      );
    }
  });
});
