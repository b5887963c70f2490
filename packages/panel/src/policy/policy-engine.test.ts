import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AclRule,
  type ConcreteAddress,
  DROP_POLICIES,
  matches,
  type Policy,
  parseConcrete,
  parseReference,
  parseSaddr,
  type QosRule,
  RttError,
} from "@rtt/core";
import fc from "fast-check";
import { compilePolicy, PolicyError, QOS_DEFAULTS, QOS_FIELDS } from "./policy-engine.ts";

const c = parseConcrete;

/** An example policy, with real addresses: `A,B,C` spelled out and the stream match written in
 * the grammar (`stream` is an io mode, not a symbol type, so `rtt://*\/stream/*` does not parse). */
const SPEC_POLICY: Policy = {
  allow: [{ from: "rtt://*/api/*", to: "rtt://*/api/*", scopes: ["*"] }],
  pin: [{ route: "rtt://core/api/auth -> rtt://idp/api/auth@2" }],
  qos: [{ match: "rtt://*/*/*?io=stream", latency_ms: 1, prio: 0 }],
  failover: [
    {
      route:
        "rtt://core/bus/events -> [rtt://east/bus/events@1.0.0, rtt://west/bus/events@1.0.0, rtt://cold/bus/events@1]",
      health: "p95<5ms,err<0.1%",
    },
  ],
};

describe("policy engine: an example policy", () => {
  const engine = compilePolicy(SPEC_POLICY);

  it("allows api to api and denies everything else by default", () => {
    const ok = engine.decide(c("rtt://ui/api/shell@1.0.0"), c("rtt://core/api/metrics@2.1.0"));
    assert.equal(ok.allowed, true);
    assert.deepEqual(ok.rule, {
      kind: "allow",
      index: 0,
      label: "allow[0] rtt://*/api/* -> rtt://*/api/* scopes=[*]",
    });
    assert.equal(ok.reason, "allowed by allow[0] rtt://*/api/* -> rtt://*/api/* scopes=[*]");
    const no = engine.decide(c("rtt://ui/hook/refresh@1.0.0"), c("rtt://core/api/metrics@2.1.0"));
    assert.equal(no.allowed, false);
    assert.equal(no.rule, undefined);
    assert.match(no.reason, /default deny/);
    assert.equal(engine.defaultDeny, true);
  });

  it("pins core auth to idp auth@2", () => {
    const pin = engine.pinFor(parseReference("rtt://core/api/auth"));
    assert.ok(pin);
    assert.equal(pin.rule.index, 0);
    assert.equal(pin.exact, false);
    assert.equal(pin.target.namespace, "idp");
    assert.equal(pin.target.version, "2");
    assert.equal(
      pin.reason,
      "pinned to rtt://idp/api/auth@2 by pin[0] rtt://core/api/auth -> rtt://idp/api/auth@2",
    );
    assert.ok(engine.pinFor(c("rtt://core/api/auth@3.0.0")), "a concrete source is covered too");
    assert.equal(engine.pinFor(parseReference("rtt://core/api/other")), undefined);
  });

  it("gives streams prio 0 and a 1 ms budget, everything else the defaults", () => {
    const stream = engine.qosFor(c("rtt://core/bus/ticks@1.0.0?io=stream"));
    assert.deepEqual(stream.qos, { latency_ms: 1, prio: 0, drop: "taildrop", busy_poll: false });
    assert.deepEqual(stream.sources, { latency_ms: 0, prio: 0 });
    assert.match(stream.reason, /qos\[0\] rtt:\/\/\*\/\*\/\*\?io=stream/);
    const plain = engine.qosFor(c("rtt://core/api/metrics@1.0.0?io=req"));
    assert.deepEqual(plain.qos, { ...QOS_DEFAULTS });
    assert.deepEqual(plain.rules, []);
    assert.match(plain.reason, /^no qos rule matches; defaults prio=4 \(default\)/);
  });

  it("gives core events an ordered failover set with parsed health bounds", () => {
    const f = engine.failoverFor(parseReference("rtt://core/bus/events"));
    assert.ok(f);
    assert.deepEqual(
      f.targets.map((t) => t.namespace),
      ["east", "west", "cold"],
    );
    assert.deepEqual(f.health, [
      { metric: "p95", op: "<", limit: 5 },
      { metric: "err", op: "<", limit: 0.001 },
    ]);
    assert.match(f.reason, /^failover rtt:\/\/east\/bus\/events@1\.0\.0 → .* by failover\[0\] /);
    assert.match(f.reason, /health=p95<5ms,err<0\.1%$/);
    assert.equal(engine.failoverFor(parseReference("rtt://core/bus/other")), undefined);
  });

  it("rejects `rtt://*/stream/*` with a typed error naming the field", () => {
    assert.throws(
      () => compilePolicy({ qos: [{ match: "rtt://*/stream/*", prio: 0 }] }),
      (error: unknown) =>
        error instanceof PolicyError &&
        error instanceof RttError &&
        error.code === "RTT_ERR_SADDR_SYNTAX" &&
        error.pointer === "/qos/0/match" &&
        error.message.startsWith("policy.json /qos/0/match: "),
    );
  });
});

describe("policy engine: ACL", () => {
  const ui = c("rtt://ui/api/shell@1.0.0");
  const api = c("rtt://core/api/metrics@1.2.0");
  const admin = c("rtt://core/api/admin@1.0.0");

  it("is open by default without allow rules, and says so", () => {
    const open = compilePolicy({});
    const d = open.decide(ui, api);
    assert.equal(d.allowed, true);
    assert.equal(d.rule, undefined);
    assert.match(d.reason, /open by default/);
    assert.equal(open.defaultDeny, false);
  });

  it("lets a deny rule win over an allow rule", () => {
    const e = compilePolicy({
      allow: [{ from: "rtt://ui/*/*", to: "rtt://core/api/*" }],
      deny: [{ from: "rtt://*/*/*", to: "rtt://core/api/admin" }],
    });
    assert.equal(e.decide(ui, api).reason, "allowed by allow[0] rtt://ui/*/* -> rtt://core/api/*");
    const d = e.decide(ui, admin);
    assert.equal(d.allowed, false);
    assert.deepEqual(d.rule, {
      kind: "deny",
      index: 0,
      label: "deny[0] rtt://*/*/* -> rtt://core/api/admin",
    });
    assert.equal(d.reason, "denied by deny[0] rtt://*/*/* -> rtt://core/api/admin");
  });

  it("denies with deny rules only where they match when no allow rule exists", () => {
    const e = compilePolicy({ deny: [{ from: "rtt://ui/*/*", to: "rtt://core/api/admin" }] });
    assert.equal(e.decide(ui, admin).allowed, false);
    assert.equal(e.decide(ui, api).allowed, true);
    assert.match(e.decide(ui, api).reason, /open by default/);
  });

  it("names the first matching allow rule, with version ranges in patterns", () => {
    const e = compilePolicy({
      allow: [
        { from: "rtt://ui/*/*", to: "rtt://core/api/*@2" },
        { from: "rtt://ui/*/*", to: "rtt://core/api/*@^1.1" },
        { from: "rtt://*/*/*", to: "rtt://*/*/*" },
      ],
    });
    assert.equal(e.decide(ui, api).rule?.index, 1);
    assert.equal(e.decide(api, ui).rule?.index, 2);
  });

  it("applies scopes: scoped denies remove only their scopes", () => {
    const e = compilePolicy({
      allow: [{ from: "rtt://ui/*/*", to: "rtt://core/*/*", scopes: ["read", "write"] }],
      deny: [{ from: "rtt://*/*/*", to: "rtt://core/api/admin", scopes: ["write"] }],
    });
    assert.equal(e.decide(ui, admin).allowed, true, "the wire itself: read is still granted");
    assert.equal(e.decide(ui, admin, { scope: "read" }).allowed, true);
    assert.equal(e.decide(ui, admin, { scope: "write" }).allowed, false);
    const del = e.decide(ui, admin, { scope: "delete" });
    assert.equal(del.allowed, false);
    assert.match(del.reason, /for scope "delete"/);
  });
});

describe("policy engine: pins, failover, qos", () => {
  it("takes the first pin in file order and rejects a pin to a list", () => {
    const e = compilePolicy({
      pin: [
        { route: "rtt://core/api/auth#canary -> rtt://idp/api/auth@3.0.0" },
        { route: "rtt://core/api/auth -> rtt://idp/api/auth@2.4.1" },
        { route: "rtt://core/api/auth -> rtt://other/api/auth@1.0.0" },
      ],
    });
    const plain = e.pinFor(parseReference("rtt://core/api/auth"));
    assert.equal(plain?.rule.index, 1);
    assert.equal(plain?.exact, true);
    assert.equal(plain?.target.version, "2.4.1");
    assert.equal(e.pinFor(parseReference("rtt://core/api/auth#canary"))?.rule.index, 0);
    assert.throws(
      () => compilePolicy({ pin: [{ route: "rtt://a/api/x -> [rtt://b/api/x@1.0.0]" }] }),
      (error: unknown) => error instanceof PolicyError && error.pointer === "/pin/0/route",
    );
  });

  it("matches a versioned left side by version: semver for concrete sources, as written for references", () => {
    const e = compilePolicy({
      failover: [{ route: "rtt://core/api/q@^1 -> [rtt://a/api/q@1.0.0, rtt://b/api/q@1.0.0]" }],
    });
    assert.ok(e.failoverFor(c("rtt://core/api/q@1.4.0")));
    assert.equal(e.failoverFor(c("rtt://core/api/q@2.0.0")), undefined);
    assert.ok(e.failoverFor(parseReference("rtt://core/api/q@^1")));
    assert.equal(e.failoverFor(parseReference("rtt://core/api/q")), undefined);
    assert.deepEqual(e.failoverFor(parseReference("rtt://core/api/q@^1"))?.health, []);
  });

  it("reports a bad health expression with its pointer", () => {
    assert.throws(
      () =>
        compilePolicy({
          failover: [{ route: "rtt://a/api/x -> rtt://b/api/x", health: "p96<1ms" }],
        }),
      (error: unknown) =>
        error instanceof PolicyError &&
        error.code === "RTT_ERR_EXPR_SYNTAX" &&
        error.pointer === "/failover/0/health",
    );
  });

  it("merges qos rules field by field, later overriding earlier", () => {
    const e = compilePolicy({
      qos: [
        { match: "rtt://*/*/*", prio: 6, latency_ms: 50, drop: "mark" },
        { match: "rtt://core/*/*", prio: 1, rate: 1000 },
        { match: "rtt://ui/*/*", prio: 7 },
        { match: "rtt://core/api/*", busy_poll: true, burst: 10, buffer: 64 },
      ],
    });
    const d = e.qosFor(c("rtt://core/api/metrics@1.0.0"));
    assert.deepEqual(d.qos, {
      prio: 1,
      latency_ms: 50,
      drop: "mark",
      rate: 1000,
      busy_poll: true,
      burst: 10,
      buffer: 64,
    });
    assert.deepEqual(d.sources, {
      prio: 1,
      latency_ms: 0,
      drop: 0,
      rate: 1,
      busy_poll: 3,
      burst: 3,
      buffer: 3,
    });
    assert.deepEqual(
      d.rules.map((r) => r.index),
      [0, 1, 3],
    );
    assert.match(
      d.reason,
      /^latency_ms=50 \(qos\[0\]\), prio=1 \(qos\[1\]\), rate=1000 \(qos\[1\]\)/,
    );
  });
});

// ---- properties ------------------------------------------------------------------------------

// A small address space and patterns biased towards `*`, so that a random rule matches a random
// pair about one time in ten and the properties see rules flip decisions.
const NS = ["a", "b"] as const;
const TYPES = ["api", "bus"] as const;
const NAMES = ["x", "xy"] as const;
const VERSIONS = ["1.0.0", "2.0.0"] as const;

const concrete: fc.Arbitrary<ConcreteAddress> = fc
  .record({
    ns: fc.constantFrom(...NS),
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom(...NAMES),
    version: fc.constantFrom(...VERSIONS),
    io: fc.constantFrom("", "?io=req", "?io=stream"),
  })
  .map(({ ns, type, name, version, io }) => c(`rtt://${ns}/${type}/${name}@${version}${io}`));

const pattern: fc.Arbitrary<string> = fc
  .record({
    ns: fc.constantFrom(...NS, "*", "*"),
    type: fc.constantFrom(...TYPES, "*", "*"),
    name: fc.constantFrom(...NAMES, "*", "x*"),
    version: fc.constantFrom("", "", "@1", "@>=2"),
  })
  .map(({ ns, type, name, version }) => `rtt://${ns}/${type}/${name}${version}`);

const aclRule: fc.Arbitrary<AclRule> = fc
  .record({ from: pattern, to: pattern, scoped: fc.boolean() })
  .map(({ from, to, scoped }) => (scoped ? { from, to, scopes: ["*"] } : { from, to }));

const aclPolicy = fc.record({
  allow: fc.array(aclRule, { maxLength: 4 }),
  deny: fc.array(aclRule, { maxLength: 4 }),
});

const pairs = fc.array(fc.tuple(concrete, concrete), { minLength: 1, maxLength: 8 });

function insertAt<T>(list: readonly T[], at: number, item: T): T[] {
  const i = at % (list.length + 1);
  return [...list.slice(0, i), item, ...list.slice(i)];
}

function ruleMatches(rule: AclRule, from: ConcreteAddress, to: ConcreteAddress): boolean {
  return matches(parseSaddr(rule.from), from) && matches(parseSaddr(rule.to), to);
}

describe("policy engine: properties", () => {
  it("decisions are deterministic across compilations and calls", () => {
    fc.assert(
      fc.property(aclPolicy, pairs, (policy, ps) => {
        const one = compilePolicy(policy);
        const two = compilePolicy(structuredClone(policy));
        for (const [from, to] of ps) {
          const d = one.decide(from, to);
          assert.deepEqual(one.decide(from, to), d);
          assert.deepEqual(two.decide(from, to), d);
          assert.deepEqual(two.qosFor(from), one.qosFor(from));
        }
      }),
    );
  });

  it("adding a deny rule anywhere never turns a denied pair into an allowed one", () => {
    fc.assert(
      fc.property(aclPolicy, aclRule, fc.nat(), pairs, (policy, extra, at, ps) => {
        const before = compilePolicy(policy);
        const after = compilePolicy({ ...policy, deny: insertAt(policy.deny, at, extra) });
        for (const [from, to] of ps) {
          const b = before.decide(from, to);
          const a = after.decide(from, to);
          if (!b.allowed) assert.equal(a.allowed, false, `${b.reason} / ${a.reason}`);
          // and it flips an allowed pair exactly when the new rule matches it
          if (b.allowed) assert.equal(a.allowed, !ruleMatches(extra, from, to));
        }
      }),
    );
  });

  it("adding an allow rule to a policy that has one never denies an allowed pair", () => {
    fc.assert(
      fc.property(
        aclPolicy.filter((p) => p.allow.length > 0),
        aclRule,
        fc.nat(),
        pairs,
        (policy, extra, at, ps) => {
          const before = compilePolicy(policy);
          const after = compilePolicy({ ...policy, allow: insertAt(policy.allow, at, extra) });
          for (const [from, to] of ps) {
            const b = before.decide(from, to);
            const a = after.decide(from, to);
            if (b.allowed) assert.equal(a.allowed, true, `${b.reason} / ${a.reason}`);
            // it newly allows exactly the pairs it matches that no deny rule matches
            if (!b.allowed && a.allowed) assert.ok(ruleMatches(extra, from, to));
          }
        },
      ),
    );
  });

  it("the first allow rule turns on default deny: it keeps allowed exactly what it matches", () => {
    fc.assert(
      fc.property(aclPolicy, aclRule, pairs, (policy, first, ps) => {
        const open = compilePolicy({ deny: policy.deny });
        const closed = compilePolicy({ deny: policy.deny, allow: [first] });
        assert.equal(open.defaultDeny, false);
        assert.equal(closed.defaultDeny, true);
        for (const [from, to] of ps) {
          const b = open.decide(from, to);
          const a = closed.decide(from, to);
          assert.equal(a.allowed, b.allowed && ruleMatches(first, from, to));
          if (b.allowed && !a.allowed) {
            assert.match(b.reason, /open by default/);
            assert.match(a.reason, /default deny/);
          }
        }
      }),
    );
  });

  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const qosRule: fc.Arbitrary<QosRule> = fc
    .record({
      match: pattern,
      latency_ms: optional(fc.integer({ min: 1, max: 100 })),
      prio: optional(fc.integer({ min: 0, max: 7 })),
      rate: optional(fc.integer({ min: 1, max: 10_000 })),
      drop: optional(fc.constantFrom(...DROP_POLICIES)),
      busy_poll: optional(fc.boolean()),
    })
    .map(({ match, latency_ms, prio, rate, drop, busy_poll }) => ({
      match,
      ...(latency_ms === undefined ? {} : { latency_ms }),
      ...(prio === undefined ? {} : { prio }),
      ...(rate === undefined ? {} : { rate }),
      ...(drop === undefined ? {} : { drop }),
      ...(busy_poll === undefined ? {} : { busy_poll }),
    }));

  it("qos: each field is the last matching rule's value that sets it, else the default", () => {
    fc.assert(
      fc.property(fc.array(qosRule, { maxLength: 6 }), concrete, (rules, address) => {
        const d = compilePolicy({ qos: rules }).qosFor(address);
        const hits = rules.filter((r) => matches(parseSaddr(r.match), address));
        for (const field of QOS_FIELDS) {
          const setters = hits.filter((r) => r[field] !== undefined);
          const last = setters.at(-1);
          const expected =
            last?.[field] ?? (field in QOS_DEFAULTS ? QOS_DEFAULTS[field as "prio"] : undefined);
          assert.equal(d.qos[field], expected, field);
          assert.equal(d.sources[field], last === undefined ? undefined : rules.lastIndexOf(last));
        }
      }),
    );
  });

  it("qos: reordering matters only between matching rules that set the same field", () => {
    fc.assert(
      fc.property(fc.array(qosRule, { maxLength: 6 }), concrete, fc.nat(), (rules, address, i) => {
        if (rules.length < 2) return;
        const j = i % (rules.length - 1);
        const swapped = [...rules];
        const [x, y] = [swapped[j], swapped[j + 1]];
        if (x === undefined || y === undefined) return;
        swapped[j] = y;
        swapped[j + 1] = x;
        const a = compilePolicy({ qos: rules }).qosFor(address).qos;
        const b = compilePolicy({ qos: swapped }).qosFor(address).qos;
        const both = matches(parseSaddr(x.match), address) && matches(parseSaddr(y.match), address);
        for (const field of QOS_FIELDS) {
          const contested = both && x[field] !== undefined && y[field] !== undefined;
          const overridden = rules
            .slice(j + 2)
            .some((r) => r[field] !== undefined && matches(parseSaddr(r.match), address));
          if (!contested || overridden) assert.equal(b[field], a[field], field);
          else assert.equal(b[field], x[field], "after the swap the earlier-written rule wins");
        }
      }),
    );
  });
});
