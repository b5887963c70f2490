/**
 * The ELF reader against hostile bytes: random files and every kind of corruption of a valid
 * one yield a result, never an exception; a well-formed library yields exactly its exports.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type ByteSource, exportedSymbols } from "./elf.ts";
import { buildElf, type TestSymbol } from "./elf-builder.ts";

const source = (bytes: Uint8Array): ByteSource => ({
  size: bytes.length,
  read: (offset, length) => bytes.subarray(offset, offset + length),
});

const symbol: fc.Arbitrary<TestSymbol> = fc.record({
  name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
  bind: fc.constantFrom(0, 1, 2),
  type: fc.constantFrom(0, 1, 2, 3, 4),
  shndx: fc.constantFrom(0, 1, 7, 0xfff1),
  visibility: fc.constantFrom(0, 1, 2, 3),
});

const exported = (s: TestSymbol) =>
  s.shndx !== 0 &&
  s.shndx < 0xff00 &&
  (s.bind === 1 || s.bind === 2) &&
  (s.type === 1 || s.type === 2) &&
  (s.visibility === 0 || s.visibility === 3);

describe("ELF dynamic symbols", () => {
  it("reads exactly the exported symbols of a well-formed library", () => {
    fc.assert(
      fc.property(fc.array(symbol, { maxLength: 20 }), (symbols) => {
        const want = [...new Set(symbols.filter(exported).map((s) => s.name))].sort();
        assert.deepEqual(exportedSymbols(source(buildElf(symbols))), { ok: true, symbols: want });
      }),
    );
  });

  it("never throws on random bytes, with or without an ELF magic", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (bytes, magic) => {
        if (magic && bytes.length >= 6) bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
        const result = exportedSymbols(source(bytes));
        assert.equal(typeof result.ok, "boolean");
      }),
    );
  });

  it("never throws on a corrupted or cut-off library", () => {
    const valid = buildElf([
      { name: "rtt_on_frame", bind: 1, type: 2, shndx: 1 },
      { name: "rtt_version", bind: 1, type: 1, shndx: 1 },
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          maxLength: 16,
        }),
        fc.nat(valid.length),
        (flips, cut) => {
          const bytes = Uint8Array.from(valid);
          for (const [at, value] of flips) bytes[at] = value;
          const result = exportedSymbols(source(bytes.subarray(0, cut)));
          if (result.ok) assert.ok(result.symbols.every((s) => typeof s === "string"));
        },
      ),
    );
  });

  it("says why it read nothing", () => {
    assert.deepEqual(exportedSymbols(source(Buffer.from("/* GNU ld script */"))), {
      ok: false,
      reason: "too short for an ELF header",
    });
    assert.deepEqual(exportedSymbols(source(Buffer.alloc(64))), { ok: false, reason: "not ELF" });
    assert.deepEqual(exportedSymbols(source(buildElf([], 1))), {
      ok: false,
      reason: "not a 64-bit little-endian ELF file",
    });
  });
});
