import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  formatHandshake,
  formatRefusal,
  framedSocketOfLine,
  HANDSHAKE_FIELDS,
  type Handshake,
  HandshakeSyntaxError,
  parseHandshake,
  parseRefusal,
} from "./handshake-line.ts";

const sample: Handshake = {
  coreVersion: 1,
  appVersion: 1,
  network: "unix",
  address: "/tmp/rtt-0/driver-echo-1234-a1b2c3.sock",
  protocol: "grpc",
  pid: 1234,
  startTime: "987654",
  nonce: "00112233445566778899aabbccddeeff",
  extra: [],
};

const positive = fc.integer({ min: 1, max: 999_999_999 });
const addressChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789/._-@ é");
const address = fc.string({ unit: addressChar, minLength: 1, maxLength: 60 }).map((a) => `/${a}`);
const nonce = fc
  .uint8Array({ minLength: 16, maxLength: 64 })
  .map((b) => Buffer.from(b).toString("hex"));
const extraField = fc.string({ unit: addressChar, maxLength: 10 });

const handshake: fc.Arbitrary<Handshake> = fc
  .record({
    coreVersion: positive,
    appVersion: positive,
    network: fc.constant("unix" as const),
    address,
    protocol: fc.constant("grpc" as const),
    pid: fc.integer({ min: 1, max: 4_194_304 }),
    startTime: fc.oneof(fc.constant("0"), fc.bigInt({ min: 1n, max: 2n ** 63n }).map(String)),
    nonce,
    extra: fc.array(extraField, { maxLength: 3 }),
  })
  .map((h) => ({ ...h })); // a plain object (fc.record makes null-prototype ones)

function expectField(line: string, field: string): void {
  assert.throws(
    () => parseHandshake(line),
    (e: unknown) =>
      e instanceof HandshakeSyntaxError &&
      e.code === "RTT_ERR_DRIVER_HANDSHAKE" &&
      e.field === field,
    `${JSON.stringify(line)} should fail on ${field}`,
  );
}

describe("handshake line", () => {
  test("parses the documented layout", () => {
    const h = parseHandshake(
      "RTT|1|1|unix|/tmp/rtt-0/driver-echo-1234-a1b2c3.sock|grpc|1234|987654|00112233445566778899aabbccddeeff\n",
    );
    assert.deepEqual(h, sample);
  });

  test("field 11 is the framed socket: absent or empty for none, else an absolute path", () => {
    assert.equal(framedSocketOfLine([]), undefined);
    assert.equal(framedSocketOfLine(["uds,tcp"]), undefined);
    assert.equal(framedSocketOfLine(["", ""]), undefined);
    assert.equal(framedSocketOfLine(["", "/tmp/rtt-0/f.sock", "later"]), "/tmp/rtt-0/f.sock");
    for (const bad of ["f.sock", "@abstract", "/tmp/a\u0001b"])
      assert.throws(
        () => framedSocketOfLine(["uds", bad]),
        (e: unknown) =>
          e instanceof HandshakeSyntaxError &&
          e.code === "RTT_ERR_DRIVER_HANDSHAKE" &&
          e.field === "framed socket",
      );
    // A host that knows no field 11 still parses the line: appended fields stay unread.
    const line = formatHandshake({ ...sample, extra: ["uds,tcp", "/tmp/rtt-0/f.sock"] });
    assert.deepEqual(parseHandshake(line).extra, ["uds,tcp", "/tmp/rtt-0/f.sock"]);
  });

  test("keeps appended fields and accepts CRLF", () => {
    const h = parseHandshake(`${formatHandshake(sample)}|future|more\r\n`);
    assert.deepEqual(h.extra, ["future", "more"]);
  });

  test("names the field that is wrong", () => {
    const ok = formatHandshake(sample).split("|");
    const cases: [number, string, string][] = [
      [0, "XRTT", "marker"],
      [1, "0", "core protocol version"],
      [1, "01", "core protocol version"],
      [2, "v1", "app protocol version"],
      [3, "tcp", "network"],
      [4, "", "socket address"],
      [4, "@", "socket address"],
      [4, "@rtt-driver-echo-1-ab.sock", "socket address"],
      [4, "relative/echo.sock", "socket address"],
      [5, "http", "protocol"],
      [6, "-5", "pid"],
      [7, "12.5", "start time"],
      [8, "XYZ", "nonce"],
      [8, "abcd", "nonce"],
      [8, "00112233445566778899AABBCCDDEEFF", "nonce"],
    ];
    for (const [i, value, field] of cases) {
      const f = [...ok];
      f[i] = value;
      expectField(f.join("|"), field);
    }
  });

  test("a short line, a multi-line text, stdout noise and an empty line are refused", () => {
    expectField("RTT|1|1|unix|/x|grpc", "line");
    expectField(`${formatHandshake(sample)}\nRTT|1`, "line");
    expectField("hello world", "marker");
    expectField("", "marker");
    expectField(`RTT|${"1|".repeat(3000)}`, "line");
  });

  test("messages quote what was received", () => {
    assert.throws(
      () => parseHandshake("RTT|1|1|unix|/s|grpc|nope|0|00112233445566778899aabbccddeeff"),
      /field 7 \(pid\) must be a positive integer, got "nope"/,
    );
  });

  test("property: format then parse gives back the same handshake", () => {
    fc.assert(
      fc.property(handshake, (h) => {
        assert.deepEqual(parseHandshake(formatHandshake(h)), h);
        assert.deepEqual(parseHandshake(`${formatHandshake(h)}\n`), h);
      }),
    );
  });

  test("property: any text either parses or fails with RTT_ERR_DRIVER_HANDSHAKE", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 12 }).map((f) => f.join("|")),
      handshake.map((h) => formatHandshake(h)),
    );
    fc.assert(
      fc.property(text, (t) => {
        try {
          const h = parseHandshake(t);
          // What parses must format back to the same fields.
          assert.equal(formatHandshake(h), t.replace(/\r?\n$/, ""));
        } catch (e) {
          assert.ok(e instanceof RttError, String(e));
          assert.equal(e.code, "RTT_ERR_DRIVER_HANDSHAKE");
        }
      }),
    );
  });

  test("property: breaking one field of a good line is caught and named", () => {
    const breakers = fc.constantFrom("", "x", "-1", "|", "1.0", "\n");
    fc.assert(
      fc.property(
        handshake,
        fc.integer({ min: 0, max: HANDSHAKE_FIELDS.length - 1 }),
        breakers,
        (h, i, junk) => {
          const fields = formatHandshake(h).split("|");
          fields[i] = junk;
          const line = fields.join("|");
          let parsed: Handshake | undefined;
          try {
            parsed = parseHandshake(line);
          } catch (e) {
            assert.ok(e instanceof HandshakeSyntaxError);
            return;
          }
          // Only an address can legitimately be "x".
          assert.equal(i, 4);
          assert.equal(parsed.address, junk);
        },
      ),
    );
  });

  test("format refuses what it could not read back", () => {
    assert.throws(() => formatHandshake({ ...sample, address: "/a|b" }), HandshakeSyntaxError);
    assert.throws(() => formatHandshake({ ...sample, extra: ["a\nb"] }), HandshakeSyntaxError);
  });
});

describe("refusal line", () => {
  test("round-trips a known code and ignores anything else", () => {
    const r = { code: "RTT_ERR_DRIVER_VERSION" as const, message: "speaks 1, offered 7" };
    assert.deepEqual(parseRefusal(`${formatRefusal(r)}\n`), r);
    assert.equal(parseRefusal("RTT-REFUSED|NOT_A_CODE|x"), undefined);
    assert.equal(parseRefusal(formatHandshake(sample)), undefined);
  });

  test("property: messages survive, line breaks flattened", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (m) => {
        const parsed = parseRefusal(formatRefusal({ code: "RTT_ERR_DRIVER_COOKIE", message: m }));
        assert.equal(parsed?.code, "RTT_ERR_DRIVER_COOKIE");
        assert.equal(parsed?.message, m.replace(/[\r\n]+/g, " "));
      }),
    );
  });
});
