import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addressOf,
  type CatalogSymbol,
  type Contract,
  type Direction,
  matches,
  type Policy,
  symbolFromContract,
} from "@rtt/core";
import fc from "fast-check";
import { bySaddr, nameBuckets } from "../catalog.ts";
import { compat } from "../compat/compat.ts";
import { compilePolicy } from "../policy/policy-engine.ts";
import {
  type CandidateDecision,
  HARD_STEPS,
  manifestTrust,
  type RouteContext,
  type RouteDecision,
  routeDecision,
} from "./router.ts";
import { consumesFromSource } from "./steps.ts";

const source = { file: "rtt.manifest.json", scanner: "manifest", score: 1 } as const;

function sym(saddr: string, c: Partial<Contract> = {}): CatalogSymbol {
  return symbolFromContract({ saddr, type: "api", direction: "both", ...c }, source);
}

const SRC = sym("rtt://ui/api/shell@1.0.0");
const A = sym("rtt://core/api/metrics@1.0.0");
const B = sym("rtt://core/api/metrics@2.0.0");
const C = sym("rtt://core/api/metrics@3.0.0");
const ctx: RouteContext = { preferLanes: ["shm", "uds"] };
const open = compilePolicy({});
const route = { id: "r1", from: "rtt://ui/api/shell", to: "rtt://core/api/metrics" };

function cand(d: RouteDecision, saddr: string): CandidateDecision {
  const c = d.candidates.find((x) => x.saddr === saddr);
  assert.ok(c, `no candidate ${saddr}`);
  return c;
}

describe("router: one example per step", () => {
  it("pin wins: only the pinned candidate survives", () => {
    const p = compilePolicy({
      pin: [{ route: "rtt://ui/api/shell -> rtt://core/api/metrics@1.0.0" }],
    });
    const d = routeDecision(route, [SRC, A, B, C], p, ctx);
    assert.equal(d.chosen, A.saddr);
    assert.equal(cand(d, B.saddr).verdict, "eliminated");
    assert.equal(cand(d, B.saddr).step, "pin");
    assert.match(cand(d, B.saddr).reason, /pin\[0\]/);
  });

  it("ACL denies", () => {
    const p = compilePolicy({
      deny: [{ from: "rtt://ui/*/*", to: "rtt://core/api/metrics@2.0.0" }],
    });
    const d = routeDecision({ ...route, to: "rtt://core/api/metrics@2.0.0" }, [SRC, A, B], p, ctx);
    assert.equal(d.chosen, undefined);
    assert.deepEqual([cand(d, B.saddr).verdict, cand(d, B.saddr).step], ["eliminated", "acl"]);
    assert.match(cand(d, B.saddr).reason, /deny\[0\]/);
  });

  it("compat fails with the compat reason", () => {
    const src = sym("rtt://ui/api/shell@1.0.0", { capabilities: ["stream"] });
    const d = routeDecision(route, [src, A, sym(B.saddr, { capabilities: ["stream"] })], open, ctx);
    assert.equal(d.chosen, B.saddr);
    assert.equal(cand(d, A.saddr).step, "compat");
    assert.match(cand(d, A.saddr).reason, /requires capability "stream"|stream/);
  });

  it("compat: a filter (`both`) fed by a provider is the consumer, and needs no caps", () => {
    const bus = sym("rtt://core/bus/ticks@1.0.0", {
      type: "bus",
      direction: "provider",
      capabilities: ["push", "stream"],
    });
    const filter = sym("rtt://bin/proc/upper@0.0.0", { type: "proc", direction: "both" });
    const d = routeDecision(
      { id: "r2", from: "rtt://core/bus/ticks", to: "rtt://bin/proc/upper" },
      [bus, filter],
      open,
      ctx,
    );
    assert.equal(d.chosen, filter.saddr);
  });

  it("compat: a processor (`both`) sits in the middle of a chain; schemas follow the data", () => {
    const events = sym("rtt://core/bus/events@1.0.0", {
      type: "bus",
      direction: "provider",
      outputs: [{ name: "event", schema: "json://events.event" }],
    });
    const upper = sym("rtt://bin/proc/upper@0.1.0", {
      type: "proc",
      direction: "both",
      inputs: [{ name: "event", schema: "json://events.event" }],
      outputs: [{ name: "record", schema: "json://logger.record" }],
    });
    const logger = (schema: string) =>
      sym("rtt://obs/extension/logger@1.0.0", {
        type: "extension",
        direction: "consumer",
        inputs: [{ name: "record", schema }],
      });
    const catalog = [events, upper, logger("json://logger.record")];
    const into = { id: "in", from: "rtt://core/bus/events", to: "rtt://bin/proc/upper" };
    const out = { id: "out", from: "rtt://bin/proc/upper", to: "rtt://obs/extension/logger" };
    assert.equal(routeDecision(into, catalog, open, ctx).chosen, upper.saddr);
    assert.equal(routeDecision(out, catalog, open, ctx).chosen, catalog[2]?.saddr);
    // What the processor sends must be what the logger takes, named by route end.
    const wrong = [events, upper, logger("json://other")];
    const d = routeDecision(out, wrong, open, ctx);
    assert.equal(d.chosen, undefined);
    assert.match(
      cand(d, "rtt://obs/extension/logger@1.0.0").reason,
      /Slot "record": the route's source \(providing\) sends schema "json:\/\/logger.record" but the route's target \(consuming\) takes "json:\/\/other"/,
    );
  });

  it("which end consumes, for every pair of directions", () => {
    const table: [Direction, Direction, boolean][] = [
      ["provider", "provider", false],
      ["provider", "consumer", true],
      ["provider", "both", true],
      ["consumer", "provider", false],
      ["consumer", "consumer", false],
      ["consumer", "both", false],
      ["both", "provider", false],
      ["both", "consumer", true],
      ["both", "both", false],
    ];
    for (const [from, to, targetConsumes] of table)
      assert.equal(consumesFromSource(from, to), targetConsumes, `${from} -> ${to}`);
  });

  it("QoS fit: latency budget and throughput", () => {
    const p = compilePolicy({ qos: [{ match: "rtt://ui/*/*", latency_ms: 5, rate: 100 }] });
    const slow = sym(A.saddr, { qos: { latency_budget_ms: 10 } });
    const weak = sym(B.saddr, { qos: { throughput_qps: 50 } });
    const fit = sym(C.saddr, { qos: { latency_budget_ms: 5, throughput_qps: 100 } });
    const d = routeDecision(route, [SRC, slow, weak, fit], p, ctx);
    assert.equal(d.chosen, C.saddr);
    assert.equal(cand(d, A.saddr).step, "qos");
    assert.match(cand(d, A.saddr).reason, /latency budget 10 ms/);
    assert.equal(cand(d, B.saddr).step, "qos");
    assert.match(cand(d, B.saddr).reason, /throughput 50 qps/);
  });

  it("locality keeps the closest", () => {
    const d = routeDecision(route, [SRC, A, B, C], open, {
      ...ctx,
      localityOf: (s) => (s.saddr === B.saddr ? 0 : 1),
    });
    assert.equal(d.chosen, B.saddr);
    assert.deepEqual([cand(d, A.saddr).verdict, cand(d, A.saddr).step], ["lost", "locality"]);
  });

  it("health drops the clearly worse; unknown is healthy", () => {
    const health = new Map([
      [A.saddr, { p95_ms: 2, err_rate: 0.2 }],
      [B.saddr, { p95_ms: 50, err_rate: 0 }],
      [C.saddr, { p95_ms: 2, err_rate: 0 }],
    ]);
    const d = routeDecision(route, [SRC, A, B, C], open, { ...ctx, health });
    assert.equal(d.chosen, C.saddr);
    assert.match(cand(d, A.saddr).reason, /error rate/);
    assert.match(cand(d, B.saddr).reason, /p95 50 ms/);
    const unknown = routeDecision(route, [SRC, A, C], open, {
      ...ctx,
      health: new Map([[C.saddr, { p95_ms: 1, err_rate: 0 }]]),
    });
    assert.ok(unknown.candidates.every((c) => c.step === "unique"));
  });

  it("health: one better on errors, the other on p95 — the lower error rate wins, never neither", () => {
    // The property test's counterexample: judged against the best error rate and the best p95
    // of two different candidates, both lost and nothing was chosen.
    const health = new Map([
      [A.saddr, { p95_ms: 0, err_rate: 0.010000000000000002 }],
      [B.saddr, { p95_ms: 2, err_rate: 0 }],
    ]);
    const d = routeDecision(route, [SRC, A, B], open, { ...ctx, health });
    assert.equal(d.chosen, B.saddr);
    assert.match(cand(d, A.saddr).reason, /error rate/);
  });

  it("ambiguity: several equally good candidates are tied, none is chosen, the reason names them", () => {
    const d = routeDecision(route, [SRC, A, B, C], open, ctx);
    assert.equal(d.chosen, undefined);
    assert.equal(d.ambiguous, true);
    assert.ok(d.candidates.every((c) => c.verdict === "tied" && c.step === "unique"));
    const last = d.reasons.at(-1) ?? "";
    assert.match(last, /ambiguous, 3 candidates are equally good/);
    for (const s of [A, B, C]) assert.ok(last.includes(`${s.saddr} from rtt.manifest.json`), last);
    const one = routeDecision(route, [SRC, A], open, ctx);
    assert.equal(one.chosen, A.saddr);
    assert.equal(one.ambiguous, undefined);
  });
});

describe("router: trust (strict mode)", () => {
  const vendored = { file: "vendor/x/rtt.manifest.json", scanner: "manifest", score: 1 } as const;
  const signed = (saddr: string, trusted: boolean): CatalogSymbol => ({
    ...symbolFromContract({ saddr, type: "api", direction: "both" }, source),
    signer: { key: trusted ? "a".repeat(32) : "b".repeat(32), trusted },
  });
  const unsigned = symbolFromContract({ saddr: B.saddr, type: "api", direction: "both" }, vendored);
  const strict = (allow: string[] = []): RouteContext => ({
    ...ctx,
    trust: manifestTrust({ strict_manifests: true, allow_unsigned: allow }),
  });

  it("off: signed or not, every candidate passes the trust step", () => {
    const d = routeDecision(route, [SRC, signed(A.saddr, true), unsigned], open, ctx);
    assert.ok(d.candidates.every((c) => c.step !== "trust"));
    const off = { ...ctx, trust: manifestTrust({ strict_manifests: false }) };
    assert.equal(routeDecision(route, [SRC, unsigned], open, off).chosen, B.saddr);
  });

  it("on: an unsigned manifest is eliminated, naming its file; the trusted one is chosen", () => {
    const d = routeDecision(route, [SRC, signed(A.saddr, true), unsigned], open, strict());
    assert.equal(d.chosen, A.saddr);
    const c = cand(d, B.saddr);
    assert.deepEqual([c.verdict, c.step, c.manifest], ["eliminated", "trust", vendored.file]);
    assert.match(c.reason, /unsigned manifest vendor\/x\/rtt\.manifest\.json/);
  });

  it("on: a manifest signed by an untrusted key is eliminated, naming the key", () => {
    const d = routeDecision(route, [SRC, signed(A.saddr, false)], open, strict());
    assert.equal(d.chosen, undefined);
    assert.match(cand(d, A.saddr).reason, new RegExp(`signed by untrusted key ${"b".repeat(32)}`));
    assert.equal(cand(d, A.saddr).step, "trust");
  });

  it("on: allow_unsigned patterns let matching addresses through, and only those", () => {
    const d = routeDecision(
      route,
      [SRC, unsigned, signed(C.saddr, false)],
      open,
      strict(["rtt://core/api/metrics@2"]),
    );
    assert.equal(d.chosen, B.saddr);
    assert.equal(cand(d, C.saddr).step, "trust");
    const glob = routeDecision(route, [SRC, unsigned], open, strict(["rtt://core/*/*"]));
    assert.equal(glob.chosen, B.saddr);
    const other = routeDecision(route, [SRC, unsigned], open, strict(["rtt://dev/*/*"]));
    assert.equal(other.chosen, undefined);
  });

  it("a trusted vendored copy is a legitimate candidate: with the original, the end is ambiguous", () => {
    const d = routeDecision(
      route,
      [SRC, signed(A.saddr, true), signed(B.saddr, true)],
      open,
      strict(),
    );
    assert.equal(d.chosen, undefined);
    assert.equal(d.ambiguous, true);
  });
});

describe("router: trust properties", () => {
  const versions = ["1.0.0", "1.1.0", "2.0.0", "3.0.0"];
  const signers = fc.constantFrom("none", "trusted", "untrusted");
  const patterns = fc.subarray([
    "rtt://core/api/metrics@1",
    "rtt://core/api/*",
    "rtt://core/*/metrics@3.0.0",
    "rtt://dev/*/*",
  ]);
  const world = fc.record({
    signed: fc.tuple(signers, signers, signers, signers),
    allow: patterns,
  });

  it("strict mode chooses only trusted or allow_unsigned symbols; off, it is the decision without trust", () => {
    fc.assert(
      fc.property(world, ({ signed, allow }) => {
        const catalog = [
          SRC,
          ...versions.map((v, i): CatalogSymbol => {
            const s = sym(`rtt://core/api/metrics@${v}`);
            const how = signed[i];
            return how === "none"
              ? s
              : { ...s, signer: { key: "c".repeat(32), trusted: how === "trusted" } };
          }),
        ];
        const on = manifestTrust({ strict_manifests: true, allow_unsigned: allow });
        const d = routeDecision(route, catalog, open, { ...ctx, trust: on });
        for (const c of d.candidates) {
          const s = catalog.find((x) => x.saddr === c.saddr);
          assert.ok(s);
          const allowed =
            s.signer?.trusted === true || on.allowUnsigned.some((p) => matches(p, addressOf(s)));
          assert.equal(c.step === "trust", !allowed, `${c.saddr}: ${c.reason}`);
        }
        const off = {
          ...ctx,
          trust: manifestTrust({ strict_manifests: false, allow_unsigned: allow }),
        };
        assert.deepEqual(
          routeDecision(route, catalog, open, off),
          routeDecision(route, catalog, open, ctx),
        );
      }),
    );
  });
});

describe("router: routes", () => {
  it("failover list: earlier entries win; later ones used when the earlier is eliminated", () => {
    const r = {
      id: "f",
      from: route.from,
      to: ["rtt://core/api/metrics@2", "rtt://core/api/metrics@1"],
    };
    const d = routeDecision(r, [SRC, A, B], open, ctx);
    assert.equal(d.chosen, B.saddr);
    assert.deepEqual([cand(d, A.saddr).verdict, cand(d, A.saddr).step], ["lost", "failover"]);
    const p = compilePolicy({ deny: [{ from: "rtt://ui/*/*", to: B.saddr }] });
    const d2 = routeDecision(r, [SRC, A, B], p, ctx);
    assert.equal(d2.chosen, A.saddr);
    assert.equal(cand(d2, B.saddr).step, "acl");
  });

  it("ambiguous or missing source: no choice, a reason", () => {
    const amb = routeDecision({ ...route, from: "rtt://core/api/metrics" }, [SRC, A, B], open, ctx);
    assert.equal(amb.source, undefined);
    assert.equal(amb.chosen, undefined);
    assert.ok(amb.reasons.some((r) => /ambiguous/.test(r)));
    const none = routeDecision({ ...route, from: "rtt://ui/api/nope" }, [SRC, A], open, ctx);
    assert.equal(none.chosen, undefined);
    assert.ok(none.reasons.some((r) => /exactly one symbol/.test(r)));
  });

  it("lane: inproc only when both ends declare it", () => {
    const lanes: RouteContext = { preferLanes: ["inproc", "uds"] };
    assert.equal(routeDecision(route, [SRC, A], open, lanes).lane, "uds");
    const s2 = sym(SRC.saddr, { capabilities: ["inproc"] });
    const a2 = sym(A.saddr, { capabilities: ["inproc"] });
    assert.equal(routeDecision(route, [s2, a2], open, lanes).lane, "inproc");
  });
});

// Properties over random catalogs of metrics versions, policies and contexts.
const arbVersion = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }));
const arbTarget = fc.record({
  v: arbVersion,
  caps: fc.subarray(["stream", "inproc"]),
  lat: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  qps: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
});
const arbWorld = fc.record({
  targets: fc.uniqueArray(arbTarget, { selector: (t) => t.v.join("."), maxLength: 8 }),
  srcCaps: fc.subarray(["stream", "inproc"]),
  denyMajor: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  pinMajor: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  lat: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  rate: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }),
  health: fc.array(
    fc.record({
      p95: fc.integer({ min: 0, max: 100 }),
      err: fc.double({ min: 0, max: 0.1, noNaN: true }),
    }),
    { maxLength: 8 },
  ),
  far: fc.array(fc.boolean(), { maxLength: 8 }),
  failover: fc.boolean(),
});

type World = typeof arbWorld extends fc.Arbitrary<infer T> ? T : never;

function build(w: World) {
  const catalog = [
    sym(SRC.saddr, { capabilities: w.srcCaps }),
    ...w.targets.map((t) =>
      sym(`rtt://core/api/metrics@${t.v[0]}.${t.v[1]}.0`, {
        capabilities: t.caps,
        qos: {
          ...(t.lat === undefined ? {} : { latency_budget_ms: t.lat }),
          ...(t.qps === undefined ? {} : { throughput_qps: t.qps }),
        },
      }),
    ),
  ];
  const policy: Policy = {
    ...(w.denyMajor === undefined
      ? {}
      : { deny: [{ from: "rtt://ui/*/*", to: `rtt://core/api/metrics@${w.denyMajor}` }] }),
    ...(w.pinMajor === undefined
      ? {}
      : { pin: [{ route: `rtt://ui/api/shell -> rtt://core/api/metrics@${w.pinMajor}` }] }),
    qos: [
      {
        match: "rtt://ui/*/*",
        ...(w.lat === undefined ? {} : { latency_ms: w.lat }),
        ...(w.rate === undefined ? {} : { rate: w.rate }),
      },
    ],
  };
  const targets = catalog.slice(1);
  const health = new Map(
    targets.flatMap((t, i) => {
      const h = w.health[i];
      return h === undefined ? [] : [[t.saddr, { p95_ms: h.p95, err_rate: h.err }] as const];
    }),
  );
  const far = new Set(targets.filter((_, i) => w.far[i] === true).map((t) => t.saddr));
  const context: RouteContext = {
    health,
    localityOf: (s) => (far.has(s.saddr) ? 1 : 0),
    preferLanes: ["inproc", "shm", "uds"],
  };
  const r = {
    id: "prop",
    from: "rtt://ui/api/shell",
    to: w.failover
      ? ["rtt://core/api/metrics@2", "rtt://core/api/metrics"]
      : "rtt://core/api/metrics",
  };
  return { catalog, policy: compilePolicy(policy), context, route: r };
}

describe("router: properties", () => {
  it("is byte-identical across calls and shuffled catalog order", () => {
    fc.assert(
      fc.property(arbWorld, fc.integer(), (w, shuffleSeed) => {
        const { catalog, policy, context, route: r } = build(w);
        const first = JSON.stringify(routeDecision(r, catalog, policy, context));
        assert.equal(JSON.stringify(routeDecision(r, catalog, policy, context)), first);
        const shuffled = fc.sample(fc.shuffledSubarray(catalog, { minLength: catalog.length }), {
          seed: shuffleSeed,
          numRuns: 1,
        })[0];
        assert.ok(shuffled);
        assert.equal(JSON.stringify(routeDecision(r, shuffled, policy, context)), first);
      }),
    );
  });

  it("decides the same with each end resolved against its sorted name bucket only", () => {
    fc.assert(
      fc.property(arbWorld, fc.boolean(), (w, reversed) => {
        const { catalog, policy, context, route: r } = build(w);
        const order = reversed ? [...catalog].reverse() : catalog;
        const bucketOf = nameBuckets(order);
        const endSymbols = (end: string) => bucketOf(end)?.toSorted(bySaddr);
        assert.equal(
          JSON.stringify(routeDecision(r, order, policy, { ...context, endSymbols })),
          JSON.stringify(routeDecision(r, catalog, policy, context)),
        );
      }),
    );
  });

  it("the chosen candidate passed every hard step; exactly one is chosen when any survive", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const { catalog, policy, context, route: r } = build(w);
        const d = routeDecision(r, catalog, policy, context);
        const chosen = d.candidates.filter((c) => c.verdict === "chosen");
        const passed = d.candidates.filter((c) => c.verdict !== "eliminated");
        const tied = d.candidates.filter((c) => c.verdict === "tied");
        // One chosen when any survive, unless two or more are tied (then none, and ambiguous).
        assert.equal(chosen.length, passed.length > 0 && tied.length === 0 ? 1 : 0);
        assert.ok(tied.length !== 1, "a lone survivor is chosen, never tied");
        assert.equal(d.ambiguous === true, tied.length > 1);
        assert.equal(d.chosen, chosen[0]?.saddr);
        for (const c of d.candidates) {
          assert.equal(c.verdict === "eliminated", HARD_STEPS.includes(c.step));
        }
        const won = catalog.find((s) => s.saddr === d.chosen);
        if (won !== undefined) {
          const src = catalog[0];
          assert.ok(src);
          assert.ok(compat(src, won).ok, "the chosen one is compatible");
          assert.ok(policy.decide(addressOf(src), addressOf(won)).allowed, "and allowed");
          if (w.pinMajor !== undefined) assert.ok(won.saddr.includes(`@${w.pinMajor}.`));
          if (w.lat !== undefined) assert.ok((won.qos.latency_budget_ms ?? 0) <= w.lat);
          if (w.rate !== undefined) assert.ok((won.qos.throughput_qps ?? Infinity) >= w.rate);
        }
        if (d.lane === "inproc") {
          assert.ok(w.srcCaps.includes("inproc"));
        }
        const sorted = [...d.candidates].map((c) => c.saddr).sort();
        assert.deepEqual(
          d.candidates.map((c) => c.saddr),
          sorted,
        );
      }),
    );
  });
});
