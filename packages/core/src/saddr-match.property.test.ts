/**
 * The matcher compiles a selector once (its globs to tests, its range to a parsed semver Range)
 * and caches parses (issue 20). It must decide exactly what the plain definition does: a RegExp
 * per glob and semver's `satisfies`/`eq` per call, field by field in address order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import semverEq from "semver/functions/eq.js";
import semverSatisfies from "semver/functions/satisfies.js";
import { type ConcreteAddress, parseConcrete, parseSaddr, type Selector } from "./saddr.ts";
import {
  escapeRegExp,
  type Mismatch,
  matches,
  mismatch,
  selectorTest,
  versionSatisfies,
} from "./saddr-match.ts";
import { anyAddress, concreteAddress, exactVersion } from "./testing/saddr-arbitraries.ts";

const glob = (g: string, text: string) =>
  new RegExp(`^${g.split("*").map(escapeRegExp).join(".*")}$`).test(text);

/** `mismatch` as first written: nothing compiled, nothing cached. */
function plainMismatch(s: Selector, t: ConcreteAddress): Mismatch["field"] | undefined {
  if (!glob(s.namespace, t.namespace)) return "namespace";
  if (!glob(s.type, t.type)) return "type";
  if (!glob(s.name, t.name)) return "name";
  if (s.version !== undefined) {
    const ok =
      s.form === "concrete"
        ? semverEq(s.version, t.version)
        : semverSatisfies(t.version, s.version);
    if (!ok) return "version";
  }
  if (s.variant !== undefined && (t.variant === undefined || !glob(s.variant, t.variant)))
    return "variant";
  if (s.caps.some((c) => !t.caps.includes(c))) return "caps";
  if (s.io !== undefined && s.io !== t.io) return "io";
  return undefined;
}

describe("mismatch, compiled and cached", () => {
  it("decides as the plain definition, for any selector and address, asked twice", () => {
    // Selectors derived from the target too, so matches (and near misses) are common.
    const derived = concreteAddress().chain(({ text }) => {
      const t = parseConcrete(text);
      return fc
        .record({
          ns: fc.constantFrom(t.namespace, "*", `${t.namespace.slice(0, 1)}*`, "x"),
          name: fc.constantFrom(t.name, "*", `*${t.name.slice(-1)}`),
          version: fc.constantFrom("", `@${t.version}`, "@*", "@^1", "@>=0.1.0 <2", "@~0.1"),
        })
        .map(({ ns, name, version }) => ({
          target: t,
          selector: parseSaddr(`rtt://${ns}/${t.type}/${name}${version}`),
        }));
    });
    const unrelated = fc.tuple(anyAddress(), concreteAddress()).map(([s, t]) => ({
      selector: parseSaddr(s.text),
      target: parseConcrete(t.text),
    }));
    fc.assert(
      fc.property(fc.oneof(derived, unrelated), ({ selector, target }) => {
        const want = plainMismatch(selector, target);
        assert.equal(mismatch(selector, target)?.field, want);
        assert.equal(mismatch(selector, target)?.field, want);
        assert.equal(matches(selector, target), want === undefined);
        assert.equal(selectorTest(selector)(target), want === undefined);
      }),
      { numRuns: 500 },
    );
  });
});

describe("pinned versions, compared without semver", () => {
  // Few values per part, so equal versions (and ones that differ only in build) are common;
  // numeric prerelease identifiers past 2^53, which semver compares as (rounded) numbers.
  const small = fc.constantFrom("0", "1", "12");
  const preId = fc.constantFrom("1", "01a", "alpha", "a-1", "9007199254740993", "9007199254740992");
  const pinned = fc
    .tuple(
      small,
      small,
      small,
      fc.option(fc.array(preId, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      fc.option(fc.constantFrom("b", "b.7", "001"), { nil: undefined }),
    )
    .map(([major, minor, patch, pre, build]) => {
      let v = `${major}.${minor}.${patch}`;
      if (pre !== undefined) v += `-${pre.join(".")}`;
      if (build !== undefined) v += `+${build}`;
      return v;
    });
  const version = fc.oneof(pinned, exactVersion);

  it("versionSatisfies is semver's satisfies, pinned or not, for versions semver reads or not", () => {
    const odd = fc.constantFrom(
      "v1.2.3",
      "=1.2.3",
      " 1.2.3",
      "1.2",
      "99999999999999999.0.0",
      "1234567890123456.0.0",
      "",
    );
    const text = fc.oneof(version, odd);
    fc.assert(
      fc.property(text, text, (v, range) => {
        assert.equal(versionSatisfies(v, range), semverSatisfies(v, range));
      }),
      { numRuns: 2000 },
    );
  });

  it("a selector of pinned versions matches as semver's eq and satisfies say", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const target = parseConcrete(`rtt://n/api/x@${b}`);
        assert.equal(matches(parseConcrete(`rtt://n/api/x@${a}`), target), semverEq(a, b));
        assert.equal(
          matches(parseSaddr(`rtt://n/api/x@${a}`), target),
          semverSatisfies(b, a),
          "as a reference",
        );
      }),
      { numRuns: 1000 },
    );
  });
});
