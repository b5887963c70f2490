import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  canonicalHash,
  canonicalJson,
  canonicalOnce,
  sameCanonicalMembers,
} from "./canonical-json.ts";
import { RttError } from "./errors.ts";

/** The IEEE-754 double whose bits are `hex` (16 hex digits, big-endian). */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** A deep copy with -0 as 0 and every object plain: what JSON.parse gives back. */
function jsonNormal(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return value.map(jsonNormal);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, so a "__proto__" key stays an own member as JSON.parse makes it.
      Object.defineProperty(out, key, {
        value: jsonNormal(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** A deep copy whose object members are inserted in a shuffled order. */
function reorder(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: enough to give each object its own permutation.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const a = entries[i] as [string, unknown];
      entries[i] = entries[j] as [string, unknown];
      entries[j] = a;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      Object.defineProperty(out, key, {
        value: walk(item),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(value);
}

function canonError(value: unknown): RttError {
  try {
    canonicalJson(value);
  } catch (error) {
    if (error instanceof RttError) return error;
    assert.fail(`expected an RttError, got ${String(error)}`);
  }
  assert.fail("expected canonicalJson to throw");
}

describe("canonicalJson: RFC 8785 test vectors", () => {
  it("§3.2.2: the main example", () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    assert.equal(canonicalJson(input), expected);
  });

  it("§3.2.3: members sorted by UTF-16 code units", () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    const out = canonicalJson(input);
    // Read the order from the text: a parsed object would put the integer-like key "1" first.
    const order = [...out.matchAll(/":"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(order, [
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
    assert.equal(
      out,
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("Appendix B: number serialisation samples", () => {
    const samples: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, expected] of samples) {
      assert.equal(canonicalJson(fromBits(bits)), expected, bits);
      assert.equal(canonicalJson([fromBits(bits)]), `[${expected}]`, bits);
    }
  });

  it("Appendix B: NaN and Infinity have no canonical form", () => {
    for (const bits of ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"]) {
      const e = canonError(fromBits(bits));
      assert.equal(e.code, "RTT_ERR_CANON_VALUE");
    }
  });
});

describe("canonicalJson: examples", () => {
  it("sorts members at every depth and keeps array order", () => {
    assert.equal(
      canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: { d: true, c: null } }),
      '{"a":{"c":null,"d":true},"b":[{"a":2,"z":1},3]}',
    );
  });

  it("escapes control characters the JSON.stringify way (lowercase \\u00xx)", () => {
    assert.equal(
      canonicalJson('\u0000\b\t\n\f\r\u001f\u007f"\\/'),
      '"\\u0000\\b\\t\\n\\f\\r\\u001f\u007f\\"\\\\/"',
    );
  });

  it("orders keys that start with a digit by code units, array indexes or not", () => {
    // An engine puts array-index keys ("10", "9") first in numeric order whatever the insertion
    // order; "2fa" is no index and keeps its place.
    assert.equal(canonicalJson({ a: 4, "2fa": 1, "1b": 2 }), '{"1b":2,"2fa":1,"a":4}');
    assert.equal(
      canonicalJson({ a: 4, "2fa": 1, 9: 3, 10: 2, 4294967295: 5 }),
      '{"10":2,"2fa":1,"4294967295":5,"9":3,"a":4}',
    );
  });

  it("drops undefined members, as JSON.stringify does", () => {
    assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  });

  it("accepts objects without a prototype", () => {
    const bare: Record<string, unknown> = Object.create(null);
    bare.k = 1;
    assert.equal(canonicalJson(bare), '{"k":1}');
  });

  it("hashes the canonical text with SHA-256, lowercase hex", () => {
    const text = '{"a":1,"b":[true]}';
    assert.equal(
      canonicalHash({ b: [true], a: 1 }),
      createHash("sha256").update(text, "utf8").digest("hex"),
    );
    assert.match(canonicalHash(null), /^[0-9a-f]{64}$/);
    // SHA-256 of the UTF-8 bytes, not of UTF-16: "€" is e2 82 ac.
    assert.equal(
      canonicalHash("€"),
      createHash("sha256")
        .update(Buffer.from([0x22, 0xe2, 0x82, 0xac, 0x22]))
        .digest("hex"),
    );
  });
});

describe("canonicalJson: values with no canonical form", () => {
  const bad: [string, unknown, RegExp][] = [
    ["NaN", Number.NaN, /^NaN at \/ has no canonical JSON form$/],
    ["Infinity", { a: [1, Number.POSITIVE_INFINITY] }, /^Infinity at \/a\/1 /],
    ["-Infinity", Number.NEGATIVE_INFINITY, /^-Infinity at \//],
    ["a lone high surrogate", { s: "a\ud800b" }, /^a string with a lone surrogate at \/s /],
    ["a lone low surrogate", ["\udc00"], /^a string with a lone surrogate at \/0 /],
    ["a lone surrogate in a key", { "\ud83d": 1 }, /^a string with a lone surrogate at \/ /],
    ["undefined at top level", undefined, /^a value of type undefined at \/ /],
    ["undefined in an array", [undefined], /^a value of type undefined at \/0 /],
    ["a bigint", 1n, /^a value of type bigint/],
    ["a function", () => 1, /^a value of type function/],
    ["a symbol", Symbol("s"), /^a value of type symbol/],
    ["a Date", new Date(0), /^a non-plain object at \/ /],
    ["a Map", new Map([["a", 1]]), /^a non-plain object at \/ /],
    ["a Set inside", { x: { "a/b~c": new Set() } }, /^a non-plain object at \/x\/a~1b~0c /],
    ["a class instance", new (class Point {})(), /^a non-plain object/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what} with RTT_ERR_CANON_VALUE`, () => {
      const e = canonError(value);
      assert.equal(e.code, "RTT_ERR_CANON_VALUE");
      assert.match(e.message, message);
    });
  }

  it("accepts a well-formed surrogate pair", () => {
    assert.equal(canonicalJson("\ud83d\ude00"), '"\ud83d\ude00"');
  });
});

describe("canonicalJson: properties", () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const unicodeJson = fc.jsonValue({ maxDepth: 3, stringUnit: "grapheme" });

  it("JSON.parse(canonicalJson(v)) deep-equals v (with -0 read back as 0)", () => {
    for (const arb of [json, unicodeJson]) {
      fc.assert(
        fc.property(arb, (v) => {
          assert.deepEqual(JSON.parse(canonicalJson(v)), jsonNormal(v));
        }),
      );
    }
  });

  it("output has no insignificant whitespace and is what JSON.stringify gives for sorted input", () => {
    const sortedCopy = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortedCopy);
      if (v === null || typeof v !== "object") return v;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        Object.defineProperty(out, key, {
          value: sortedCopy((v as Record<string, unknown>)[key]),
          enumerable: true,
        });
      }
      return out;
    };
    // Without integer-like keys JS keeps insertion order, so JSON.stringify of a sorted copy
    // is an independent oracle.
    const noIndexKeys = fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => !/"\d+":/.test(JSON.stringify(v)));
    fc.assert(
      fc.property(noIndexKeys, (v) => {
        assert.equal(canonicalJson(v), JSON.stringify(sortedCopy(v)));
      }),
    );
  });

  it("refuses exactly the values with a lone surrogate, in a key or a string, at any depth", () => {
    // Units of lone surrogates, a pair, and text that merely looks like a surrogate's escape
    // (a backslash, then "ud800"), which must still be accepted.
    const unit = fc.constantFrom("\ud800", "\udfff", "\ud83d\ude00", "\\", "ud800", "a", "\u0001");
    const strings = fc.string({ unit, maxLength: 4 });
    const values = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        strings,
        fc.integer(),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(strings, tie("value"), { maxKeys: 3 }),
      ),
    })).value;
    const wellFormed = (v: unknown): boolean =>
      typeof v === "string"
        ? v.isWellFormed()
        : Array.isArray(v)
          ? v.every(wellFormed)
          : v !== null && typeof v === "object"
            ? Object.entries(v).every(([k, item]) => k.isWellFormed() && wellFormed(item))
            : true;
    fc.assert(
      fc.property(values, (v) => {
        if (wellFormed(v)) {
          assert.deepEqual(JSON.parse(canonicalJson(v)), jsonNormal(v));
          assert.equal(canonicalHash(v), canonicalHash(JSON.parse(canonicalJson(v))));
        } else {
          assert.equal(canonError(v).code, "RTT_ERR_CANON_VALUE");
          assert.throws(() => canonicalHash(v), RttError);
        }
      }),
    );
  });

  it("is invariant under member reordering, and so is canonicalHash", () => {
    fc.assert(
      fc.property(json, fc.integer(), (v, seed) => {
        const shuffled = reorder(v, seed);
        assert.equal(canonicalJson(shuffled), canonicalJson(v));
        assert.equal(canonicalHash(shuffled), canonicalHash(v));
      }),
    );
  });

  it("is idempotent through a parse: canonical(parse(canonical(v))) === canonical(v)", () => {
    fc.assert(
      fc.property(unicodeJson, (v) => {
        const once = canonicalJson(v);
        assert.equal(canonicalJson(JSON.parse(once)), once);
      }),
    );
  });

  it("any double is finite-serialised or refused, never emitted as NaN/Infinity", () => {
    fc.assert(
      fc.property(fc.double(), (d) => {
        if (Number.isFinite(d)) {
          const out = canonicalJson(d);
          assert.equal(Number(out), Object.is(d, -0) ? 0 : d);
        } else {
          assert.equal(canonError(d).code, "RTT_ERR_CANON_VALUE");
        }
      }),
    );
  });
});

describe("canonicalOnce and sameCanonicalMembers", () => {
  const record = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), {
    maxKeys: 5,
  });

  it("a text made once stands for its object: the same canonical JSON and hash", () => {
    fc.assert(
      fc.property(record, fc.jsonValue({ maxDepth: 2 }), (r, other) => {
        const once = canonicalOnce(r);
        assert.equal(canonicalJson([once, other]), canonicalJson([r, other]));
        // Reused where the object itself occurs again, too.
        assert.equal(
          canonicalHash({ a: r, b: other }),
          canonicalHash({ a: jsonNormal(r), b: other }),
        );
      }),
    );
  });

  it("sameCanonicalMembers(a, b) is canonicalJson(a) === canonicalJson(b)", () => {
    // Pairs that are often equal: a record against a reordered copy, or against one with a
    // member changed, dropped or set to undefined.
    const pair = fc
      .tuple(record, fc.nat(), fc.jsonValue({ maxDepth: 2 }), fc.nat(3))
      .map(([r, seed, value, how]) => {
        const copy = reorder(r, seed) as Record<string, unknown>;
        const key = Object.keys(copy)[seed % Math.max(1, Object.keys(copy).length)];
        if (key !== undefined && how === 1) copy[key] = value;
        if (key !== undefined && how === 2) delete copy[key];
        if (key !== undefined && how === 3) copy[key] = undefined;
        return [r, copy] as const;
      });
    fc.assert(
      fc.property(pair, ([a, b]) => {
        assert.equal(sameCanonicalMembers(a, b), canonicalJson(a) === canonicalJson(b));
      }),
    );
  });

  it("sameCanonicalMembers tells apart objects that list as many members under other names", () => {
    // Same count, one name each side the other lacks (or holds undefined): never equal.
    const pair = fc
      .tuple(record, fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), fc.boolean())
      .map(([r, suffix, value, asUndefined]) => {
        const shared: Record<string, unknown> = { ...r };
        delete shared[`a${suffix}`];
        delete shared[`b${suffix}`];
        const a: Record<string, unknown> = { ...shared, [`a${suffix}`]: value };
        const b: Record<string, unknown> = { ...shared, [`b${suffix}`]: value };
        if (asUndefined) b[`a${suffix}`] = undefined;
        return [a, b] as const;
      });
    fc.assert(
      fc.property(pair, ([a, b]) => {
        assert.equal(sameCanonicalMembers(a, b), false);
        assert.equal(sameCanonicalMembers(b, a), false);
      }),
    );
  });
});
