import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type ByteOrder, normalizeIp, parseProcNetTcp } from "./proc-net-tcp.ts";

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, "0");

/** Address bytes as the kernel prints them: each 32-bit word %08X in the machine's order. */
function kernelHex(bytes: readonly number[], order: ByteOrder): string {
  let out = "";
  for (let w = 0; w < bytes.length; w += 4) {
    const word = bytes.slice(w, w + 4);
    for (const b of order === "LE" ? word.reverse() : word) out += hex(b, 2);
  }
  return out;
}

/** The text spelling of address bytes, the way Node's socket.remoteAddress would write it. */
function spell(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join(".");
  const groups = Array.from({ length: 8 }, (_, i) =>
    (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16),
  );
  return groups.join(":");
}

const address = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }),
);
const entry = fc.record({
  local: address,
  localPort: fc.integer({ min: 0, max: 65535 }),
  remote: address,
  remotePort: fc.integer({ min: 0, max: 65535 }),
  state: fc.integer({ min: 1, max: 12 }),
  uid: fc.integer({ min: 0, max: 4294967295 }),
});
type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function line(e: Entry, slot: number, order: ByteOrder): string {
  return (
    `${String(slot).padStart(4)}: ${kernelHex(e.local, order)}:${hex(e.localPort, 4)} ` +
    `${kernelHex(e.remote, order)}:${hex(e.remotePort, 4)} ${hex(e.state, 2)} ` +
    `00000000:00000000 00:00000000 00000000 ${String(e.uid).padStart(5)}        0 ${slot + 4242} 1 0000000000000000 100 0 0 10 0`
  );
}

const expected = (e: Entry) => ({
  localAddress: normalizeIp(spell(e.local)),
  localPort: e.localPort,
  remoteAddress: normalizeIp(spell(e.remote)),
  remotePort: e.remotePort,
  state: e.state,
  uid: e.uid,
});

const order = fc.constantFrom<ByteOrder>("LE", "BE");

test("a generated table parses back to its entries, in either byte order", () => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 20 }), order, (entries, o) => {
      const text = [HEADER, ...entries.map((e, i) => line(e, i, o)), ""].join("\n");
      assert.deepEqual(parseProcNetTcp(text, o), entries.map(expected));
    }),
  );
});

test("garbage never throws, and lines that do not parse leave the good ones untouched", () => {
  const parse1 = (l: string): number => parseProcNetTcp(l, "LE").length;
  const garbage = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    // Near misses: a real line with a field cut, doubled or replaced.
    fc.tuple(entry, fc.nat(12), fc.string()).map(([e, i, s]) => {
      const f = line(e, 0, "LE").trim().split(/\s+/);
      f[i % 8] = s;
      return f.join(" ");
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(entry, garbage), { maxLength: 20 }), (rows) => {
      const good: Entry[] = [];
      const lines = rows.map((r, i) => {
        if (typeof r !== "string") good.push(r);
        return typeof r === "string" ? r : line(r, i, "LE");
      });
      // A garbage line may by chance be a valid one; only the ones that are not are garbage.
      const kept = lines.filter((l, i) => typeof rows[i] !== "string" || parse1(l) === 0);
      for (const l of lines) assert.ok(parse1(l) <= 1);
      assert.deepEqual(parseProcNetTcp(kept.join("\n"), "LE"), good.map(expected));
    }),
  );
  assert.deepEqual(parseProcNetTcp("\0\n\r\n:::\n 0: 0100007F:1F90", "LE"), []);
});

test("IPv4-mapped IPv6 in tcp6 reads as the dotted quad Node reports for either family", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
      fc.integer({ min: 1, max: 65535 }),
      order,
      (v4, port, o) => {
        const mapped = [...Array(10).fill(0), 0xff, 0xff, ...v4];
        const e = { local: mapped, localPort: port, remote: v4, remotePort: 1, state: 1, uid: 7 };
        const [got] = parseProcNetTcp(line(e, 0, o), o);
        const dotted = v4.join(".");
        assert.equal(got?.localAddress, dotted);
        assert.equal(got?.remoteAddress, dotted);
        assert.equal(normalizeIp(`::ffff:${dotted}`), dotted);
      },
    ),
  );
  // The kernel's own spellings of loopback.
  assert.deepEqual(
    parseProcNetTcp(
      [
        "   0: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000001000000:0016 01 0 0 0 1000",
        "   1: 0100007F:0050 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000     0",
      ].join("\n"),
      "LE",
    ).map((e) => [e.localAddress, e.localPort, e.remoteAddress, e.remotePort, e.uid]),
    [
      ["127.0.0.1", 0x1f90, "::1", 22, 1000],
      ["127.0.0.1", 80, "127.0.0.1", 0xa2c4, 0],
    ],
  );
});
