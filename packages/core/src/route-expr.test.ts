import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type ErrorCode, RttError } from "./errors.ts";
import { type HealthBound, parseHealthExpr, parseRouteExpr } from "./route-expr.ts";
import { parseSaddr } from "./saddr.ts";
import { assertSyntaxErrorAt, rttErrorOf } from "./testing/rtt-errors.ts";
import { concreteAddress, grammarChar, referenceAddress } from "./testing/saddr-arbitraries.ts";

function failsCleanly(codes: readonly ErrorCode[], parse: (text: string) => unknown) {
  return (text: string): void => {
    try {
      parse(text);
    } catch (error) {
      if (!(error instanceof RttError)) throw error;
      assert.ok(codes.includes(error.code), error.code);
      assert.ok(error.position !== undefined);
      assert.equal(error.position.line, 1);
      const { column } = error.position;
      assert.ok(
        column >= 1 && column <= text.length + 1,
        `column ${column} outside 1..${text.length + 1} for ${JSON.stringify(text)}`,
      );
    }
  };
}

const A = "rtt://core/api/auth";
const B = "rtt://idp/api/auth@2";
const C = "rtt://backup/api/auth@2.1.0#eu";

describe("parseRouteExpr", () => {
  it("parses A -> B", () => {
    assert.deepEqual(parseRouteExpr(`${A} -> ${B}`), {
      from: parseSaddr(A),
      to: [parseSaddr(B)],
      list: false,
    });
    assert.deepEqual(parseRouteExpr(`${A}->${B}`), parseRouteExpr(`  ${A}   ->   ${B}  `));
  });

  it("parses a failover list in order, even a list of one", () => {
    assert.deepEqual(parseRouteExpr(`${A} -> [${B}, ${C},${A}]`), {
      from: parseSaddr(A),
      to: [parseSaddr(B), parseSaddr(C), parseSaddr(A)],
      list: true,
    });
    assert.deepEqual(parseRouteExpr(`${A} -> [ ${B} ]`), {
      from: parseSaddr(A),
      to: [parseSaddr(B)],
      list: true,
    });
  });

  it("tells a comma between caps from a comma between list items", () => {
    const x = "rtt://b/api/x?caps=pull,push";
    const y = "rtt://c/api/y@2?caps=a,b,c&io=req";
    assert.deepEqual(parseRouteExpr(`${A} -> [${x}, ${y},${x},RTT://d/api/z]`).to, [
      parseSaddr(x),
      parseSaddr(y),
      parseSaddr(x),
      parseSaddr("rtt://d/api/z"),
    ]);
    assert.deepEqual(parseRouteExpr(`${A} -> ${x}`).to, [parseSaddr(x)]);
  });

  it("reports expression errors at the offending token", () => {
    const arrow = '"->" between two addresses';
    const cases: [string, number, string, string][] = [
      [A, A.length + 1, "the end of the expression", arrow],
      [`${A} => ${B}`, A.length + 2, '"=>"', '"->"'],
      [`${A} → ${B}`, A.length + 2, '"→"', '"->"'],
      [`${A} > ${B}`, A.length + 2, '">"', '"->"'],
      [`${A} <- ${B}`, A.length + 2, '"<-"', '"->"'],
      [`  ${A}  ${B}`, A.length + 5, JSON.stringify(B), arrow],
      [` -> ${B}`, 2, '"->"', "an address"],
      [`${A} -> `, A.length + 5, "the end of the expression", "an address"],
      [`${A} -> ${B} -> ${C}`, A.length + B.length + 6, '"->"', "one arrow"],
      [
        `${A} -> [${B}`,
        A.length + B.length + 6,
        "the end of the expression",
        "']' closing the failover list",
      ],
      [`${A} -> [${B}] x`, A.length + B.length + 8, '"x"', "the end after ']'"],
      [`${A} -> [${B},,${C}]`, A.length + B.length + 7, '","', "an address"],
      [`${A} -> []`, A.length + 6, '"]"', "an address"],
    ];
    for (const [text, column, found, expected] of cases) {
      const e = rttErrorOf(() => parseRouteExpr(text));
      assert.equal(e.code, "RTT_ERR_EXPR_SYNTAX", text);
      assert.deepEqual(e.position, { line: 1, column }, text);
      assert.equal(
        e.message,
        `bad route expression ${JSON.stringify(text)}: found ${found} at column ${column}; expected ${expected}`,
      );
      assert.equal(e.hint, "e.g. rtt://a/api/x -> [rtt://b/api/x@2, rtt://c/api/x@2]");
    }
  });

  it("property: a syntax error's quoted token stands at its column", () => {
    const piece = fc.constantFrom(A, B, "->", "=>", "→", "[", "]", ",", " ", "  ", ">", "x");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const text = pieces.join("");
        let error: unknown;
        try {
          parseRouteExpr(text);
          return;
        } catch (thrown) {
          error = thrown;
        }
        if (!(error instanceof RttError) || error.code !== "RTT_ERR_EXPR_SYNTAX") return;
        const m = /: found (".*"|the end of the expression) at column (\d+); expected /.exec(
          error.message,
        );
        assert.ok(m !== null, error.message);
        const column = Number(m[2]);
        assert.equal(error.position?.column, column);
        if (m[1] === "the end of the expression") assert.equal(column, text.length + 1);
        else assert.ok(text.slice(column - 1).startsWith(JSON.parse(m[1] ?? "")), error.message);
      }),
    );
  });

  it("re-bases an address's own error column onto the expression", () => {
    const bad = "rtt://b/api/X@2";
    const e = rttErrorOf(() => parseRouteExpr(`${A} -> ${bad}`));
    assert.equal(e.code, "RTT_ERR_SADDR_SYNTAX");
    const column = A.length + 4 + 13; // 'X' is column 13 of the address
    assert.deepEqual(e.position, { line: 1, column });
    assert.ok(e.message.endsWith(`(column ${column} of the expression)`), e.message);
    assert.equal(e.hint, "addresses are lowercase");

    const inList = rttErrorOf(() => parseRouteExpr(`${A} -> [${B},  rtt://c/*/x]`));
    assert.equal(inList.code, "RTT_ERR_SADDR_FORM");
    assert.deepEqual(inList.position, { line: 1, column: `${A} -> [${B},  rtt://c/`.length + 1 });

    const from = rttErrorOf(() => parseRouteExpr(`  rtt://core/apx/auth -> ${B}`));
    assert.equal(from.hint, 'did you mean "api"?');
    assert.deepEqual(from.position, { line: 1, column: 14 });
  });

  it("property: generated expressions parse to their addresses", () => {
    const end = fc.oneof(concreteAddress(), referenceAddress());
    const gap = fc.stringMatching(/^ {0,2}$/);
    fc.assert(
      fc.property(
        end,
        fc.array(end, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        gap,
        gap,
        (from, to, bracket, g1, g2) => {
          const list = bracket || to.length > 1;
          const targets = to.map((t) => t.text).join(`${g1},${g2}`);
          const text = `${g1}${from.text}${g2}->${g1}${list ? `[${g2}${targets}${g1}]` : targets}${g2}`;
          assert.deepEqual(parseRouteExpr(text), {
            from: from.address,
            to: to.map((t) => t.address),
            list,
          });
        },
      ),
    );
  });

  it("property: any string parses or throws an RttError with a column inside it", () => {
    const codes: ErrorCode[] = [
      "RTT_ERR_EXPR_SYNTAX",
      "RTT_ERR_SADDR_SYNTAX",
      "RTT_ERR_SADDR_FORM",
    ];
    const check = failsCleanly(codes, parseRouteExpr);
    fc.assert(fc.property(fc.string(), check));
    fc.assert(fc.property(fc.string({ unit: "binary" }), check));
    const mutated = fc
      .tuple(concreteAddress(), referenceAddress(), fc.nat(), grammarChar)
      .map(([a, b, at, c]) => {
        const text = `${a.text} -> [${b.text}, ${a.text}]`;
        const i = at % (text.length + 1);
        return text.slice(0, i) + c + text.slice(i + 1);
      });
    fc.assert(fc.property(mutated, check), { numRuns: 300 });
  });
});

describe("parseHealthExpr", () => {
  it("parses bounds with units into milliseconds and fractions", () => {
    assert.deepEqual(parseHealthExpr("p95<5ms,err<0.1%"), [
      { metric: "p95", op: "<", limit: 5 },
      { metric: "err", op: "<", limit: 0.001 },
    ]);
    assert.deepEqual(parseHealthExpr(" p50<=250us , p99 < 1.5 s,lag<2ms, err<=0.25"), [
      { metric: "p50", op: "<=", limit: 0.25 },
      { metric: "p99", op: "<", limit: 1500 },
      { metric: "lag", op: "<", limit: 2 },
      { metric: "err", op: "<=", limit: 0.25 },
    ]);
    assert.deepEqual(parseHealthExpr("err<100%"), [{ metric: "err", op: "<", limit: 1 }]);
  });

  it("reports the column of the failing term", () => {
    const cases: [string, number, string][] = [
      ["", 1, "a bound like p95<5ms"],
      ["p95<5ms,", 9, "a bound like p95<5ms"],
      ["p95<5ms, err<x", 10, "a bound like p95<5ms"],
      ["p90<5ms", 1, "a bound like p95<5ms"],
      ["p95>5ms", 1, "a bound like p95<5ms"],
      ["p95<5", 1, "p95 with a unit: us, ms or s"],
      ["p95<5%", 1, "p95 with a unit: us, ms or s"],
      ["p95<5ms,err<5ms", 9, "err in % (e.g. err<0.1%)"],
      ["err<150%", 1, "an error rate of at most 100%"],
      ["err<2", 1, "an error rate of at most 100%"],
      ["p95<5ms,lag<1s,p95<6ms", 16, "one bound per metric"],
    ];
    for (const [text, column, expected] of cases) {
      const e = assertSyntaxErrorAt(
        () => parseHealthExpr(text),
        "RTT_ERR_EXPR_SYNTAX",
        column,
        expected,
        text,
      );
      assert.equal(e.hint, "e.g. p95<5ms,err<0.1%");
    }
  });

  it("property: generated expressions parse to their bounds", () => {
    const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
    const latency = fc.record({
      metric: fc.constantFrom("p50", "p95", "p99", "lag"),
      op: fc.constantFrom("<", "<="),
      num: fc.integer({ min: 0, max: 100000 }),
      unit: fc.constantFrom("us", "ms", "s"),
    });
    const err = fc.record({
      op: fc.constantFrom("<", "<="),
      num: fc.integer({ min: 0, max: 100 }),
    });
    const terms = fc
      .tuple(fc.uniqueArray(latency, { selector: (t) => t.metric, maxLength: 4 }), fc.option(err))
      .filter(([l, e]) => l.length > 0 || e !== null);
    fc.assert(
      fc.property(terms, fc.stringMatching(/^ {0,2}$/), ([lat, e], gap) => {
        const parts = lat.map((t) => `${gap}${t.metric}${gap}${t.op}${t.num}${t.unit}`);
        const expected: HealthBound[] = lat.map((t) => ({
          metric: t.metric,
          op: t.op,
          limit: t.num * (scale[t.unit] ?? Number.NaN),
        }));
        if (e !== null) {
          parts.push(`err${e.op}${gap}${e.num}%${gap}`);
          expected.push({ metric: "err", op: e.op, limit: e.num / 100 });
        }
        assert.deepEqual(parseHealthExpr(parts.join(",")), expected);
      }),
    );
  });

  it("property: any string parses or throws RTT_ERR_EXPR_SYNTAX with a column inside it", () => {
    const check = failsCleanly(["RTT_ERR_EXPR_SYNTAX"], parseHealthExpr);
    fc.assert(fc.property(fc.string(), check));
    fc.assert(fc.property(fc.string({ unit: "binary" }), check));
    const healthish = fc
      .array(fc.constantFrom("p95", "err", "lag", "<", "<=", "5", "0.1", "ms", "%", ",", " "), {
        maxLength: 12,
      })
      .map((parts) => parts.join(""));
    fc.assert(fc.property(healthish, check), { numRuns: 300 });
  });
});
