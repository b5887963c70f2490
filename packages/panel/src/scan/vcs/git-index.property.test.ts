/**
 * The git index parser on hostile input: random bytes, and a valid header over random bytes,
 * never throw; an index encoded as git writes it (v2 with padding, v4 with prefix-compressed
 * paths) parses back to the same entries.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type GitIndexEntry, parseGitIndex } from "./git-index.ts";

function header(version: number, count: number): Buffer {
  const b = Buffer.alloc(12);
  b.write("DIRC", 0, "latin1");
  b.writeUInt32BE(version, 4);
  b.writeUInt32BE(count, 8);
  return b;
}

/** git's offset varint, as `varint()` reads it. */
function varint(value: number): Buffer {
  const bytes = [value & 0x7f];
  let v = value >>> 7;
  while (v > 0) {
    v -= 1;
    bytes.unshift(0x80 | (v & 0x7f));
    v >>>= 7;
  }
  return Buffer.from(bytes);
}

function encode(version: 2 | 4, entries: readonly GitIndexEntry[]): Buffer {
  const parts = [header(version, entries.length)];
  let previous = "";
  for (const e of entries) {
    const fixed = Buffer.alloc(62);
    fixed.writeUInt32BE(e.mtimeSeconds, 8);
    fixed.writeUInt32BE(e.mtimeNanos, 12);
    fixed.writeUInt32BE(e.mode, 24);
    fixed.writeUInt32BE(e.size, 36);
    const name = Buffer.from(e.path);
    fixed.writeUInt16BE((e.stage << 12) | Math.min(name.length, 0xfff), 60);
    if (version === 4) {
      let common = 0;
      while (
        common < previous.length &&
        common < e.path.length &&
        previous[common] === e.path[common]
      )
        common++;
      const strip = Buffer.byteLength(previous) - Buffer.byteLength(previous.slice(0, common));
      const suffix = Buffer.from(e.path.slice(common));
      parts.push(fixed, varint(strip), suffix, Buffer.alloc(1));
    } else {
      const length = 62 + name.length;
      parts.push(fixed, name, Buffer.alloc(((length + 8) & ~7) - length));
    }
    previous = e.path;
  }
  parts.push(Buffer.alloc(20));
  return Buffer.concat(parts);
}

const segment = fc.stringMatching(/^[a-zA-Z0-9._-]{1,12}$/);
const entry = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/")),
  mtimeSeconds: fc.nat({ max: 0xffffffff }),
  mtimeNanos: fc.nat({ max: 999_999_999 }),
  mode: fc.constantFrom(0o100644, 0o100755, 0o120000, 0o160000),
  size: fc.nat({ max: 0xffffffff }),
  stage: fc.constantFrom(0, 0, 1, 2, 3),
  skipWorktree: fc.constant(false),
});

describe("git index parser", () => {
  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        parseGitIndex(Buffer.from(bytes));
      }),
    );
  });

  it("never throws on a valid header over random bytes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 3, 4),
        fc.nat({ max: 12 }),
        fc.uint8Array({ maxLength: 900 }),
        (version, count, bytes) => {
          const index = parseGitIndex(Buffer.concat([header(version, count), bytes]));
          if (index !== undefined) assert.equal(index.entries.length, count);
        },
      ),
    );
  });

  it("reads back what git would write, v2 and v4", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2 as const, 4 as const),
        fc.array(entry, { maxLength: 8 }),
        (v, entries) => {
          const sorted = entries
            .map((e) => ({ ...e }))
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
          const index = parseGitIndex(encode(v, sorted));
          assert.deepEqual(index, { version: v, entries: sorted, split: false });
        },
      ),
    );
  });

  it("refuses a count the file cannot hold, and a v2 entry with an extended flag", () => {
    assert.equal(parseGitIndex(header(2, 1 << 30)), undefined);
    const one = encode(2, [
      {
        path: "a",
        mtimeSeconds: 1,
        mtimeNanos: 2,
        mode: 0o100644,
        size: 3,
        stage: 0,
        skipWorktree: false,
      },
    ]);
    one.writeUInt16BE(0x4001, 12 + 60);
    assert.equal(parseGitIndex(one), undefined);
  });
});
