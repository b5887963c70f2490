import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AUTH_MODES,
  type Auth,
  type CatalogSymbol,
  type Contract,
  IO_MODES,
  type IoSlot,
  symbolFromContract,
} from "@rtt/core";
import fc from "fast-check";
import { type CompatResult, compat, optionalCapsFromParams } from "./compat.ts";

const source = { file: "rtt.manifest.json", scanner: "manifest", score: 1 } as const;

function symbol(c: Partial<Contract> & { saddr?: string }): CatalogSymbol {
  return symbolFromContract(
    { saddr: "rtt://core/api/metrics@1.2.0", type: "api", direction: "both", ...c },
    source,
  );
}

function reasons(r: CompatResult): [string, string][] {
  assert.equal(r.ok, false, "expected a rejection");
  return r.ok ? [] : r.reasons.map((x) => [x.code, x.message]);
}

describe("compat: examples per rule", () => {
  it("accepts two bare symbols with no caps", () => {
    assert.deepEqual(compat(symbol({}), symbol({})), { ok: true, caps: [], coercions: [] });
  });

  it("version: the range must contain the provider's version", () => {
    const consumer = symbol({ saddr: "rtt://app/hook/refresh@1.0.0", version_set: ">=1.2 <2.0" });
    assert.equal(compat(consumer, symbol({ saddr: "rtt://core/api/metrics@1.5.3" })).ok, true);
    assert.deepEqual(reasons(compat(consumer, symbol({ saddr: "rtt://core/api/metrics@2.1.0" }))), [
      [
        "version",
        "The consumer's version set \">=1.2 <2.0\" does not contain the provider's version 2.1.0.",
      ],
    ]);
    // No version set means any version.
    assert.equal(compat(symbol({}), symbol({ saddr: "rtt://core/api/metrics@9.0.0" })).ok, true);
  });

  it("version: a prerelease is outside a plain range (semver rules)", () => {
    const consumer = symbol({ version_set: "^1.0.0" });
    const provider = symbol({ saddr: "rtt://core/api/metrics@1.3.0-beta.1" });
    assert.equal(reasons(compat(consumer, provider))[0]?.[0], "version");
  });

  it("io: modes must be equal when both declare one", () => {
    assert.deepEqual(reasons(compat(symbol({ io: "req" }), symbol({ io: "pubsub" }))), [
      ["io", 'The consumer uses io mode "req" but the provider uses "pubsub".'],
    ]);
    assert.equal(compat(symbol({ io: "stream" }), symbol({ io: "stream" })).ok, true);
    assert.equal(compat(symbol({ io: "req" }), symbol({})).ok, true);
    assert.equal(compat(symbol({}), symbol({ io: "req" })).ok, true);
  });

  it("caps: negotiated set is the sorted intersection", () => {
    const r = compat(
      symbol({ capabilities: ["stream", "pull"] }),
      symbol({ capabilities: ["push", "pull", "stream", "batch"] }),
    );
    assert.deepEqual(r, { ok: true, caps: ["pull", "stream"], coercions: [] });
  });

  it("caps: a required capability missing is a hard fail naming both sides", () => {
    assert.deepEqual(
      reasons(
        compat(symbol({ capabilities: ["push", "stream"] }), symbol({ capabilities: ["pull"] })),
      ),
      [
        [
          "caps",
          'The consumer requires capabilities "push", "stream" but the provider offers "pull".',
        ],
      ],
    );
    assert.deepEqual(reasons(compat(symbol({ capabilities: ["push"] }), symbol({}))), [
      ["caps", 'The consumer requires capability "push" but the provider offers none.'],
    ]);
  });

  it("caps: optional capabilities may be missing and still negotiate when present", () => {
    const consumer = symbol({ capabilities: ["pull", "stream"] });
    const optionalCaps = optionalCapsFromParams({ optional_caps: "stream" });
    assert.deepEqual(compat(consumer, symbol({ capabilities: ["pull"] }), { optionalCaps }), {
      ok: true,
      caps: ["pull"],
      coercions: [],
    });
    assert.deepEqual(
      compat(consumer, symbol({ capabilities: ["pull", "stream"] }), { optionalCaps }),
      { ok: true, caps: ["pull", "stream"], coercions: [] },
    );
  });

  it("optionalCapsFromParams reads a comma list and ignores anything else", () => {
    assert.deepEqual(optionalCapsFromParams({ optional_caps: " b, a,,b " }), ["a", "b"]);
    assert.deepEqual(optionalCapsFromParams({ optional_caps: true }), []);
    assert.deepEqual(optionalCapsFromParams({}), []);
    assert.deepEqual(optionalCapsFromParams(undefined), []);
  });

  it("schema: slots pair by name; equal references pass, unpaired slots are ignored", () => {
    const consumer = symbol({
      outputs: [
        { name: "query", schema: "json://metrics.query" },
        { name: "extra", schema: "json://x" },
      ],
    });
    const provider = symbol({
      inputs: [
        { name: "query", schema: "json://metrics.query" },
        { name: "other", schema: "json://y" },
      ],
    });
    assert.equal(compat(consumer, provider).ok, true);
  });

  it("schema: different references fail unless a coercer maps consumer → provider", () => {
    const consumer = symbol({ outputs: [{ name: "query", schema: "json://q.v1" }] });
    const provider = symbol({ inputs: [{ name: "query", schema: "json://q.v2" }] });
    assert.deepEqual(reasons(compat(consumer, provider)), [
      [
        "schema",
        'Slot "query": the consumer sends schema "json://q.v1" but the provider takes ' +
          '"json://q.v2", and no coercer maps "json://q.v1" to "json://q.v2".',
      ],
    ]);
    // The reverse coercer does not help: data flows consumer → provider.
    const reverse = [{ from: "json://q.v2", to: "json://q.v1" }];
    assert.equal(compat(consumer, provider, { coercers: reverse }).ok, false);
    const forward = [{ from: "json://q.v1", to: "json://q.v2" }];
    assert.deepEqual(compat(consumer, provider, { coercers: forward }), {
      ok: true,
      caps: [],
      coercions: [{ slot: "query", from: "json://q.v1", to: "json://q.v2" }],
    });
  });

  it("schema: one reason per failing slot, sorted by slot name", () => {
    const consumer = symbol({
      outputs: [
        { name: "zeta", schema: "json://a" },
        { name: "alpha", schema: "json://a" },
      ],
    });
    const provider = symbol({
      inputs: [
        { name: "zeta", schema: "json://b" },
        { name: "alpha", schema: "json://c" },
      ],
    });
    const got = reasons(compat(consumer, provider));
    assert.deepEqual(
      got.map(([code, m]) => [code, m.slice(0, 13)]),
      [
        ["schema", 'Slot "alpha":'],
        ["schema", 'Slot "zeta": '],
      ],
    );
  });

  it("auth: none↔none, token↔token, mtls↔mtls pass; a provider with none accepts anyone", () => {
    for (const mode of AUTH_MODES) {
      assert.equal(compat(symbol({ auth: { mode } }), symbol({ auth: { mode } })).ok, true, mode);
      assert.equal(compat(symbol({ auth: { mode } }), symbol({ auth: { mode: "none" } })).ok, true);
    }
  });

  it("auth: different modes fail naming both", () => {
    assert.deepEqual(
      reasons(compat(symbol({ auth: { mode: "token" } }), symbol({ auth: { mode: "mtls" } }))),
      [["auth", 'The consumer authenticates with "token" but the provider requires "mtls".']],
    );
    assert.deepEqual(reasons(compat(symbol({}), symbol({ auth: { mode: "token" } }))), [
      ["auth", 'The consumer authenticates with "none" but the provider requires "token".'],
    ]);
  });

  it("auth: caps needs the consumer's scopes to be a subset of the provider's", () => {
    const provider = symbol({ auth: { mode: "caps", scopes: ["metrics.read", "metrics.list"] } });
    const reader = symbol({ auth: { mode: "caps", scopes: ["metrics.read"] } });
    assert.equal(compat(reader, provider).ok, true);
    const writer = symbol({ auth: { mode: "caps", scopes: ["metrics.write", "metrics.read"] } });
    assert.deepEqual(reasons(compat(writer, provider)), [
      [
        "auth",
        'The consumer asks for scopes "metrics.read", "metrics.write" but the provider grants ' +
          '"metrics.list", "metrics.read" (missing "metrics.write").',
      ],
    ]);
    assert.deepEqual(
      reasons(
        compat(
          symbol({ auth: { mode: "caps", scopes: ["a"] } }),
          symbol({ auth: { mode: "caps" } }),
        ),
      ),
      [["auth", 'The consumer asks for scope "a" but the provider grants none (missing "a").']],
    );
  });

  it("collects every failing rule, in the fixed order version, io, caps, schema, auth", () => {
    const consumer = symbol({
      version_set: "^2",
      io: "req",
      capabilities: ["push"],
      outputs: [{ name: "q", schema: "json://a" }],
      auth: { mode: "token" },
    });
    const provider = symbol({
      io: "stream",
      inputs: [{ name: "q", schema: "json://b" }],
      auth: { mode: "mtls" },
    });
    assert.deepEqual(
      reasons(compat(consumer, provider)).map(([code]) => code),
      ["version", "io", "caps", "schema", "auth"],
    );
  });
});

// ---- property tests -------------------------------------------------------------------------

const word = fc.constantFrom("a", "b", "c", "d", "pull", "push", "stream");
const schemaRef = fc.constantFrom("json://a", "json://b", "json://c");
const slot: fc.Arbitrary<IoSlot> = fc.record({
  name: fc.constantFrom("q", "r", "s"),
  schema: schemaRef,
});
const version = fc
  .tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }))
  .map(([a, b, c]) => `${a}.${b}.${c}`);
const versionSet = fc.option(
  fc.oneof(
    version.map((v) => `^${v}`),
    version.map((v) => `>=${v}`),
    version.map((v) => `~${v}`),
    fc.constant("*"),
  ),
  { nil: undefined },
);
const auth: fc.Arbitrary<Auth> = fc.oneof(
  fc.constantFrom(...AUTH_MODES).map((mode) => ({ mode })),
  fc.record({ mode: fc.constant("caps" as const), scopes: fc.uniqueArray(word, { maxLength: 3 }) }),
);

const contract: fc.Arbitrary<Contract> = fc
  .record({
    version,
    version_set: versionSet,
    capabilities: fc.uniqueArray(word, { maxLength: 4 }),
    io: fc.option(fc.constantFrom(...IO_MODES), { nil: undefined }),
    inputs: fc.array(slot, { maxLength: 3 }),
    outputs: fc.array(slot, { maxLength: 3 }),
    auth,
  })
  .map(({ version: v, version_set, io, ...rest }) => ({
    saddr: `rtt://core/api/metrics@${v}`,
    type: "api" as const,
    direction: "both" as const,
    ...rest,
    ...(version_set === undefined ? {} : { version_set }),
    ...(io === undefined ? {} : { io }),
  }));

const catalogSymbol = contract.map((c) => symbolFromContract(c, source));
const coercers = fc.array(fc.record({ from: schemaRef, to: schemaRef }), { maxLength: 3 });
const options = fc.record({
  coercers,
  optionalCaps: fc.uniqueArray(word, { maxLength: 2 }),
});

/** A symbol whose inputs mirror its outputs, so it can talk to itself. */
function selfConsistent(c: Contract): CatalogSymbol {
  return symbolFromContract({ ...c, inputs: c.outputs ?? [] }, source);
}

describe("compat: properties", () => {
  it("compat(x, x) is ok when x's version set is absent or holds its own version", () => {
    fc.assert(
      fc.property(contract, (c) => {
        const { version_set: _ignored, ...withoutSet } = c;
        const version = c.saddr.slice(c.saddr.indexOf("@") + 1);
        for (const candidate of [withoutSet, { ...c, version_set: `=${version}` }]) {
          // Two slots may share a name with different schemas; the self-pairing must then rely on
          // coercers, so keep slot names unique here.
          const outputs = [...new Map((candidate.outputs ?? []).map((s) => [s.name, s])).values()];
          const x = selfConsistent({ ...candidate, outputs });
          const r = compat(x, x);
          assert.equal(r.ok, true, JSON.stringify(r));
          if (r.ok) assert.deepEqual(r.caps, [...x.capabilities]);
        }
      }),
    );
  });

  it("is deterministic: the same inputs give deep-equal results", () => {
    fc.assert(
      fc.property(catalogSymbol, catalogSymbol, options, (a, b, o) => {
        const first = compat(a, b, o);
        const again = compat(structuredClone(a), structuredClone(b), structuredClone(o));
        assert.deepEqual(again, first);
        assert.equal(JSON.stringify(again), JSON.stringify(first));
      }),
    );
  });

  it("negotiated caps are a sorted subset of both sides", () => {
    fc.assert(
      fc.property(catalogSymbol, catalogSymbol, options, (a, b, o) => {
        const r = compat(a, b, o);
        if (!r.ok) return;
        for (const cap of r.caps) {
          assert.ok(a.capabilities.includes(cap));
          assert.ok(b.capabilities.includes(cap));
        }
        assert.deepEqual(r.caps, [...new Set(r.caps)].sort());
      }),
    );
  });

  it("a provider offering more than the consumer declares negotiates exactly the consumer's caps", () => {
    fc.assert(
      fc.property(contract, fc.uniqueArray(word, { maxLength: 4 }), (c, extra) => {
        const { version_set: _ignored, ...rest } = c;
        const outputs = [...new Map((rest.outputs ?? []).map((s) => [s.name, s])).values()];
        const consumer = selfConsistent({ ...rest, outputs });
        const provider: CatalogSymbol = {
          ...consumer,
          capabilities: [...new Set([...consumer.capabilities, ...extra])].sort(),
        };
        const r = compat(consumer, provider);
        assert.equal(r.ok, true, JSON.stringify(r));
        if (r.ok) {
          assert.deepEqual(r.caps, [...consumer.capabilities]);
          for (const cap of r.caps) assert.ok(provider.capabilities.includes(cap));
        }
      }),
    );
  });

  it("reasons come in the fixed code order and every rejection has at least one", () => {
    const order = ["version", "io", "caps", "schema", "auth"];
    fc.assert(
      fc.property(catalogSymbol, catalogSymbol, options, (a, b, o) => {
        const r = compat(a, b, o);
        if (r.ok) return;
        assert.ok(r.reasons.length > 0);
        const ranks = r.reasons.map((x) => order.indexOf(x.code));
        assert.deepEqual(
          ranks,
          [...ranks].sort((x, y) => x - y),
        );
        for (const x of r.reasons) assert.match(x.message, /^[A-Z].*\.$/);
      }),
    );
  });

  it("giving the provider a capability the consumer requires never turns ok into not-ok", () => {
    fc.assert(
      fc.property(catalogSymbol, catalogSymbol, options, fc.nat(), (a, b, o, pick) => {
        const before = compat(a, b, o);
        if (a.capabilities.length === 0) return;
        const cap = a.capabilities[pick % a.capabilities.length] as string;
        const richer: CatalogSymbol = {
          ...b,
          capabilities: [...new Set([...b.capabilities, cap])].sort(),
        };
        const after = compat(a, richer, o);
        if (before.ok) assert.equal(after.ok, true);
        // And it can only remove a caps failure, never add another kind of reason.
        if (!after.ok && !before.ok) {
          const codes = new Set(before.reasons.map((x) => x.code));
          for (const x of after.reasons) assert.ok(codes.has(x.code));
        }
      }),
    );
  });
});
