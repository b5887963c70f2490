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
import { escapeRegExp, type Mismatch, matches, mismatch, selectorTest } from "./saddr-match.ts";
import { anyAddress, concreteAddress } from "./testing/saddr-arbitraries.ts";

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
