import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RttError } from "./errors.ts";
import {
  type ConcreteAddress,
  formatSaddr,
  normalizeSaddr,
  parseConcrete,
  parseReference,
  parseSaddr,
  type Reference,
} from "./saddr.ts";
import { matches, mismatch } from "./saddr-match.ts";
import { assertSyntaxErrorAt, rttErrorOf } from "./testing/rtt-errors.ts";
import {
  anyAddress,
  concreteAddress,
  mutatedAddress,
  patternAddress,
  referenceAddress,
} from "./testing/saddr-arbitraries.ts";

/** Parses, or checks that the failure is a syntax RttError pointing inside (or just past) it. */
function parsesOrFailsCleanly(input: string): void {
  try {
    parseSaddr(input);
  } catch (error) {
    if (!(error instanceof RttError)) throw error;
    assert.equal(error.code, "RTT_ERR_SADDR_SYNTAX");
    assert.ok(error.position !== undefined, "a syntax error carries a position");
    assert.equal(error.position.line, 1);
    const { column } = error.position;
    assert.ok(
      Number.isInteger(column) && column >= 1 && column <= input.length + 1,
      `column ${column} outside 1..${input.length + 1} for ${JSON.stringify(input)}`,
    );
  }
}

function concrete(s: string): ConcreteAddress {
  return parseConcrete(s);
}

describe("parseSaddr: properties over generated addresses", () => {
  it("parses each form to exactly the expected fields and form", () => {
    fc.assert(
      fc.property(anyAddress(), ({ text, address }) => {
        assert.deepEqual(parseSaddr(text), address);
      }),
    );
  });

  it("detects the form: concrete, reference, pattern", () => {
    fc.assert(fc.property(concreteAddress(), ({ text }) => parseSaddr(text).form === "concrete"));
    fc.assert(fc.property(referenceAddress(), ({ text }) => parseSaddr(text).form === "reference"));
    fc.assert(fc.property(patternAddress(), ({ text }) => parseSaddr(text).form === "pattern"));
  });

  it("format(parse(s)) === normalize(s), and both are the expected normal form", () => {
    fc.assert(
      fc.property(anyAddress(), ({ text, normal }) => {
        assert.equal(formatSaddr(parseSaddr(text)), normalizeSaddr(text));
        assert.equal(normalizeSaddr(text), normal);
      }),
    );
  });

  it("normalizeSaddr is idempotent", () => {
    fc.assert(
      fc.property(anyAddress(), ({ text }) => {
        const once = normalizeSaddr(text);
        assert.equal(normalizeSaddr(once), once);
      }),
    );
  });

  it("parse(format(x)) deep-equals x", () => {
    fc.assert(
      fc.property(anyAddress(), ({ address }) => {
        assert.deepEqual(parseSaddr(formatSaddr(address)), address);
      }),
    );
  });

  it("any string either parses or throws RTT_ERR_SADDR_SYNTAX with a column in 1..length+1", () => {
    fc.assert(fc.property(fc.string(), parsesOrFailsCleanly));
    fc.assert(fc.property(fc.string({ unit: "binary" }), parsesOrFailsCleanly));
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), parsesOrFailsCleanly));
    fc.assert(
      fc.property(
        fc.string().map((s) => `rtt://${s}`),
        parsesOrFailsCleanly,
      ),
    );
    fc.assert(fc.property(mutatedAddress, parsesOrFailsCleanly), { numRuns: 500 });
  });
});

describe("parseSaddr: examples", () => {
  it("parses the spec's full address", () => {
    assert.deepEqual(parseSaddr("rtt://core/api/metrics@1.2.0#prom?caps=push,pull,push&io=req"), {
      form: "concrete",
      namespace: "core",
      type: "api",
      name: "metrics",
      version: "1.2.0",
      variant: "prom",
      caps: ["pull", "push"],
      io: "req",
    });
  });

  it("normalizes scheme case, caps order, empty query and range spaces", () => {
    assert.equal(
      normalizeSaddr("RTT://core/api/x@>=1.2   <2.0?io=stream&caps=b,a,b"),
      "rtt://core/api/x@>=1.2 <2.0?caps=a,b&io=stream",
    );
    assert.equal(normalizeSaddr("rtt://core/api/x?"), "rtt://core/api/x");
  });

  it("keeps prerelease and build parts of an exact version", () => {
    const a = parseSaddr("rtt://core/api/x@1.2.3-alpha.1+build.5");
    assert.equal(a.form, "concrete");
    assert.equal(a.version, "1.2.3-alpha.1+build.5");
  });

  it("treats a * in the version as a range, not a glob", () => {
    assert.equal(parseSaddr("rtt://core/api/x@1.*").form, "reference");
    assert.equal(parseSaddr("rtt://core/api/x@*").form, "reference");
  });

  it("reports an uppercase letter at its column with a lowercase hint", () => {
    const e = rttErrorOf(() => parseSaddr("rtt://Core/api/x"));
    assert.equal(e.code, "RTT_ERR_SADDR_SYNTAX");
    assert.deepEqual(e.position, { line: 1, column: 7 });
    assert.equal(e.hint, "addresses are lowercase");
    assert.equal(
      e.message,
      `bad address "rtt://Core/api/x" at column 7: expected a namespace (a-z, 0-9, '.', '_', '-'), found "C"`,
    );
    const inName = rttErrorOf(() => parseSaddr("rtt://core/api/metRics"));
    assert.deepEqual(inName.position, { line: 1, column: 19 });
    assert.equal(inName.hint, "addresses are lowercase");
  });

  it("suggests the nearest symbol type for a misspelt one, pointing at the type", () => {
    const e = rttErrorOf(() => parseSaddr("rtt://core/apu/metrics"));
    assert.equal(e.code, "RTT_ERR_SADDR_SYNTAX");
    assert.deepEqual(e.position, { line: 1, column: 12 });
    assert.equal(e.hint, 'did you mean "api"?');
    assert.match(e.message, /expected a symbol type \(api, hook, .*\), found "apu"$/);
    assert.equal(rttErrorOf(() => parseSaddr("rtt://core/hok/x")).hint, 'did you mean "hook"?');
    assert.equal(rttErrorOf(() => parseSaddr("rtt://core/zzzzzz/x")).hint, undefined);
  });

  it("points at the exact column of each kind of syntax error", () => {
    const cases: [string, number, string][] = [
      ["http://core/api/x", 1, '"rtt://"'],
      ["rtt://", 7, "a namespace"],
      ["rtt://core", 11, "'/'"],
      ["rtt://core/api", 15, "'/'"],
      ["rtt://core/api/", 16, "a name"],
      ["rtt://core/api/x/", 17, "'@', '#', '?' or the end"],
      ["rtt://core/api/x@", 18, "a version after '@'"],
      ["rtt://core/api/x@ 1", 18, "a semver version or range"],
      ["rtt://core/api/x@1 ", 19, "a semver version or range"],
      ["rtt://core/api/x@1.2.3.4", 18, "a semver version or range"],
      ["rtt://core/api/x@1$", 19, "a semver version or range"],
      ["rtt://core/api/x#", 18, "a variant"],
      ["rtt://core/api/x?caps=a&", 25, "a query field"],
      ["rtt://core/api/x?caps=a,,b", 25, "a capability name"],
      ["rtt://core/api/x?io=push", 21, "an io mode (req, pubsub, stream)"],
      ["rtt://core/api/x?io=req&io=req", 25, "at most one `io=`"],
      ["rtt://core/api/x?tags=a", 18, "query field `caps` or `io`"],
      ["rtt://core/api/x?=a", 18, "a query field `caps=...` or `io=...`"],
      ["rtt://core/api/*x?caps=a*", 25, "a capability name"],
      ["rtt://-core/api/x", 7, "a namespace"],
    ];
    for (const [input, column, expected] of cases) {
      assertSyntaxErrorAt(() => parseSaddr(input), "RTT_ERR_SADDR_SYNTAX", column, expected, input);
    }
  });

  it("hints at the unknown query field by name", () => {
    assert.equal(
      rttErrorOf(() => parseSaddr("rtt://core/api/x?tags=a")).hint,
      'unknown query field "tags"',
    );
  });
});

describe("parseConcrete / parseReference: form errors", () => {
  it("parseConcrete accepts only an exact version", () => {
    assert.equal(parseConcrete("rtt://core/api/x@1.0.0").version, "1.0.0");
    for (const input of ["rtt://core/api/x", "rtt://core/api/x@1", "rtt://core/api/x@^1.0.0"]) {
      const e = rttErrorOf(() => parseConcrete(input));
      assert.equal(e.code, "RTT_ERR_SADDR_FORM");
      assert.equal(e.message, `"${input}" is a reference address; expected a concrete address`);
      assert.deepEqual(e.position, { line: 1, column: 1 });
      assert.equal(
        e.hint,
        "a concrete address names an exact version, e.g. rtt://core/api/metrics@1.0.0",
      );
    }
  });

  it("parseConcrete refuses a pattern, pointing at its first glob", () => {
    const e = rttErrorOf(() => parseConcrete("rtt://core/api/x*@1.0.0"));
    assert.equal(e.code, "RTT_ERR_SADDR_FORM");
    assert.equal(
      e.message,
      `"rtt://core/api/x*@1.0.0" is a pattern address; expected a concrete address`,
    );
    assert.deepEqual(e.position, { line: 1, column: 17 });
  });

  it("parseReference accepts references and concrete addresses, refuses patterns", () => {
    assert.equal(parseReference("rtt://core/api/x@2").form, "reference");
    assert.equal(parseReference("rtt://core/api/x@2.0.0").form, "concrete");
    const e = rttErrorOf(() => parseReference("rtt://core/*/x"));
    assert.equal(e.code, "RTT_ERR_SADDR_FORM");
    assert.equal(
      e.message,
      `"rtt://core/*/x" is a pattern address; expected a reference address or a concrete address`,
    );
    assert.deepEqual(e.position, { line: 1, column: 12 });
    assert.equal(e.hint, "a reference names literal fields; globs (*) belong in policy patterns");
  });

  it("points a form error at the glob, not at a * inside the version range", () => {
    const e = rttErrorOf(() => parseReference("rtt://core/api/x@1.*#v*"));
    assert.equal(e.code, "RTT_ERR_SADDR_FORM");
    assert.deepEqual(e.position, { line: 1, column: 23 });
  });

  it("passes syntax errors through unchanged", () => {
    assert.equal(rttErrorOf(() => parseConcrete("rtt://core/API/x")).code, "RTT_ERR_SADDR_SYNTAX");
    assert.equal(rttErrorOf(() => parseReference("rtt:/x")).code, "RTT_ERR_SADDR_SYNTAX");
  });
});

describe("matches / mismatch", () => {
  const target = concrete("rtt://core/api/metrics@1.4.2#prom");
  const withCaps: ConcreteAddress = { ...target, caps: ["pull", "stream"], io: "req" };

  it("a reference without version, variant or query selects every version and variant", () => {
    assert.equal(mismatch(parseSaddr("rtt://core/api/metrics"), target), undefined);
    assert.ok(matches(parseSaddr("rtt://core/api/metrics"), withCaps));
  });

  it("reports the first differing field in address order", () => {
    assert.deepEqual(mismatch(parseSaddr("rtt://obs/api/metrics"), target), {
      field: "namespace",
      expected: "obs",
      found: "core",
    });
    assert.deepEqual(mismatch(parseSaddr("rtt://core/hook/metrics@9"), target), {
      field: "type",
      expected: "hook",
      found: "api",
    });
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/logs"), target), {
      field: "name",
      expected: "logs",
      found: "metrics",
    });
  });

  it("matches version ranges", () => {
    const cases: [string, boolean][] = [
      ["^1.2", true],
      ["^1.5", false],
      ["~1.4.0", true],
      ["~1.3.0", false],
      [">=1.2 <2.0", true],
      [">=1.5 <2.0", false],
      ["1.x", true],
      ["2.x", false],
      ["1.4.x", true],
      ["*", true],
      ["0 || 1", true],
      ["1.0.0 - 1.4.1", false],
      ["1.0.0 - 1.4.2", true],
    ];
    for (const [range, ok] of cases) {
      const selector = parseSaddr(`rtt://core/api/metrics@${range}`);
      assert.equal(matches(selector, target), ok, range);
      if (!ok) {
        assert.deepEqual(mismatch(selector, target), {
          field: "version",
          expected: range,
          found: "1.4.2",
        });
      }
    }
  });

  it("treats a partial version as the range it names", () => {
    assert.ok(matches(parseSaddr("rtt://core/api/metrics@1"), target));
    assert.ok(matches(parseSaddr("rtt://core/api/metrics@1.4"), target));
    assert.equal(matches(parseSaddr("rtt://core/api/metrics@1.3"), target), false);
    assert.equal(matches(parseSaddr("rtt://core/api/metrics@2"), target), false);
    assert.equal(matches(parseSaddr("rtt://core/api/metrics@0"), target), false);
  });

  it("does not let a range select a prerelease it does not name (node-semver rule)", () => {
    const pre = concrete("rtt://core/api/metrics@2.0.0-beta.1");
    assert.equal(matches(parseSaddr("rtt://core/api/metrics@2"), pre), false);
    assert.ok(matches(parseSaddr("rtt://core/api/metrics@>=2.0.0-beta.0"), pre));
  });

  it("compares concrete against concrete by version equality", () => {
    assert.ok(matches(concrete("rtt://core/api/metrics@1.4.2"), target));
    assert.deepEqual(mismatch(concrete("rtt://core/api/metrics@1.4.3"), target), {
      field: "version",
      expected: "1.4.3",
      found: "1.4.2",
    });
    assert.equal(matches(concrete("rtt://core/api/metrics@1.4.2-rc.1"), target), false);
  });

  it("requires the variant when the selector names one, globs allowed", () => {
    assert.ok(matches(parseSaddr("rtt://core/api/metrics#prom"), target));
    assert.ok(matches(parseSaddr("rtt://core/api/metrics#p*"), target));
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/metrics#json"), target), {
      field: "variant",
      expected: "json",
      found: "prom",
    });
    const plain = concrete("rtt://core/api/metrics@1.4.2");
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/metrics#prom"), plain), {
      field: "variant",
      expected: "prom",
      found: "(none)",
    });
  });

  it("requires the selector's caps to be a subset of the target's", () => {
    assert.ok(matches(parseSaddr("rtt://core/api/metrics?caps=pull"), withCaps));
    assert.ok(matches(parseSaddr("rtt://core/api/metrics?caps=stream,pull"), withCaps));
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/metrics?caps=pull,push"), withCaps), {
      field: "caps",
      expected: "pull,push",
      found: "pull,stream",
    });
    assert.equal(matches(parseSaddr("rtt://core/api/metrics?caps=pull"), target), false);
  });

  it("requires the io mode when the selector names one", () => {
    assert.ok(matches(parseSaddr("rtt://core/api/metrics?io=req"), withCaps));
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/metrics?io=stream"), withCaps), {
      field: "io",
      expected: "stream",
      found: "req",
    });
    assert.deepEqual(mismatch(parseSaddr("rtt://core/api/metrics?io=req"), target), {
      field: "io",
      expected: "req",
      found: "(none)",
    });
  });

  it("matches globs in namespace, type, name and variant", () => {
    const yes = [
      "rtt://*/api/*",
      "rtt://c*/api/metrics",
      "rtt://*re/*/met*s",
      "rtt://core/a*/metrics",
      "rtt://*/*/*#*",
      "rtt://core/api/*@^1",
    ];
    for (const s of yes) assert.ok(matches(parseSaddr(s), target), s);
    assert.deepEqual(mismatch(parseSaddr("rtt://x*/api/*"), target), {
      field: "namespace",
      expected: "x*",
      found: "core",
    });
    assert.deepEqual(mismatch(parseSaddr("rtt://*/h*/*"), target), {
      field: "type",
      expected: "h*",
      found: "api",
    });
    // A '.' in a glob is a literal dot, not a regular-expression wildcard.
    const dotted = concrete("rtt://core/api/a.b@1.0.0");
    assert.ok(matches(parseSaddr("rtt://core/api/a.*"), dotted));
    assert.equal(
      matches(parseSaddr("rtt://core/api/a.*"), concrete("rtt://core/api/axb@1.0.0")),
      false,
    );
  });

  it("property: a concrete address matches itself and its own version-less reference", () => {
    fc.assert(
      fc.property(concreteAddress(), ({ text }) => {
        const self = parseConcrete(text);
        assert.ok(matches(self, self));
        const { version: _version, ...rest } = self;
        const reference: Reference = { ...rest, form: "reference" };
        assert.equal(mismatch(reference, self), undefined);
        assert.ok(matches(parseSaddr(formatSaddr(reference)), self));
      }),
    );
  });
});

it("property: a version number past 2^53 is a syntax error at that number, never a semver TypeError", () => {
  const small = fc.integer({ min: 0, max: 1000 }).map(String);
  const huge = fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).map(String);
  fc.assert(
    fc.property(fc.nat(2), small, small, huge, (which, a, b, big) => {
      const parts = [a, b, a];
      parts[which] = big;
      const text = `rtt://core/api/metrics@${parts.join(".")}`;
      assert.throws(
        () => parseSaddr(text),
        (e: unknown) =>
          e instanceof RttError &&
          e.code === "RTT_ERR_SADDR_SYNTAX" &&
          e.message.includes(`found "${big}"`) &&
          e.message.includes(`column ${text.indexOf(big, "rtt://core/api/metrics@".length) + 1}`),
      );
    }),
  );
});
