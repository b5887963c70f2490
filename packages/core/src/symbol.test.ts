import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalHash } from "./canonical-json.ts";
import { launchHash } from "./launch.ts";
import { parseConcrete } from "./saddr.ts";
import { SAMPLE_CONTRACT } from "./sample-contract.ts";
import type { Contract } from "./schemas/manifest.ts";
import { addressOf, contractHash, contractOf, symbolFromContract } from "./symbol.ts";
import { concreteAddress, segment } from "./testing/saddr-arbitraries.ts";

/** A sample metrics contract, with tags and a tool key on top. */
const METRICS: Contract = {
  ...SAMPLE_CONTRACT,
  capabilities: ["stream", "pull"], // unsorted: the catalog entry sorts them
  tags: { team: "obs" },
};

const SOURCE = {
  file: "services/metrics/rtt.manifest.json",
  scanner: "manifest",
  score: 1,
} as const;

function withKey(c: Contract, key: string, value: unknown): Contract {
  return { ...c, [key]: value } as Contract;
}

describe("contractHash", () => {
  it("is the SHA-256 of the canonical contract in normal form, without tags and x- keys", () => {
    const { tags: _tags, ...rest } = METRICS;
    const normal = { ...rest, capabilities: ["pull", "stream"], auth: { mode: "none" } };
    assert.deepEqual(contractOf(METRICS), normal);
    assert.equal(contractHash(METRICS), canonicalHash(normal));
    assert.equal(
      contractHash(METRICS),
      canonicalHash(
        JSON.parse(
          '{"auth":{"mode":"none"},"capabilities":["pull","stream"],"direction":"provider","inputs":[{"name":"query","schema":"json://metrics.query"}],"outputs":[{"name":"series","schema":"json://metrics.series"}],"qos":{"latency_budget_ms":2,"throughput_qps":5000},"saddr":"rtt://core/api/metrics@1.0.0","type":"api"}',
        ),
      ),
    );
  });

  it("is the same for a manifest and the catalog's view of it (what the panel sends a driver)", () => {
    const minimal: Contract = {
      saddr: "rtt://ui/hook/r@0.1.0",
      type: "hook",
      direction: "consumer",
    };
    const entry = symbolFromContract({ ...minimal, capabilities: ["b", "a", "b"] }, SOURCE);
    const { source: _s, contract_hash, launch_hash: _l, tags: _t, ...view } = entry;
    assert.equal(contractHash(view as Contract), contract_hash);
    assert.equal(contractHash({ ...minimal, capabilities: ["a", "b"] }), contract_hash);
  });

  it("ignores tags, x- keys, key order and the spelling of the address", () => {
    const base = contractHash(METRICS);
    assert.equal(contractHash({ ...METRICS, tags: { team: "other", tier: "gold" } }), base);
    const { tags: _tags, ...untagged } = METRICS;
    assert.equal(contractHash(untagged), base);
    assert.equal(contractHash(withKey(METRICS, "x-owner", { any: ["thing"] })), base);
    const reversed = Object.fromEntries(Object.entries(METRICS).reverse()) as unknown as Contract;
    assert.equal(contractHash(reversed), base);
    assert.equal(contractHash({ ...METRICS, saddr: "RTT://core/api/metrics@1.0.0" }), base);
  });

  it("changes when anything in the contract changes", () => {
    const base = contractHash(METRICS);
    const changed: Contract[] = [
      { ...METRICS, saddr: "rtt://core/api/metrics@1.0.1" },
      { ...METRICS, direction: "both" },
      { ...METRICS, capabilities: ["pull", "stream", "push"] },
      { ...METRICS, capabilities: ["stream"] },
      { ...METRICS, qos: { latency_budget_ms: 3, throughput_qps: 5000 } },
      { ...METRICS, inputs: [] },
      { ...METRICS, io: "req" },
      { ...METRICS, version_set: ">=1.0 <2.0" },
      { ...METRICS, auth: { mode: "token", scopes: ["metrics.read"] } },
      withKey(METRICS, "xowner", "a"),
    ];
    const hashes = new Set(changed.map(contractHash));
    assert.equal(hashes.size, changed.length);
    assert.equal(hashes.has(base), false);
  });

  it("property: tags and x- keys never change the hash; the version always does", () => {
    const contract = fc.record({
      address: concreteAddress({ noQuery: true }),
      direction: fc.constantFrom("provider", "consumer", "both" as const),
      capabilities: fc.uniqueArray(segment, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(
        contract,
        fc.dictionary(segment, fc.string(), { maxKeys: 3 }),
        fc.dictionary(
          segment.map((s) => `x-${s}`),
          fc.jsonValue({ maxDepth: 2 }),
          { maxKeys: 2 },
        ),
        ({ address, direction, capabilities }, tags, extras) => {
          const a = parseConcrete(address.text);
          const c: Contract = { saddr: address.text, type: a.type, direction, capabilities };
          const decorated = { ...extras, ...c, tags } as Contract;
          assert.equal(contractHash(decorated), contractHash(c));
          const bumped = {
            ...c,
            saddr: address.normal.replace(/@(\d+)/, (_m, n) => `@${Number(n) + 1}`),
          };
          assert.notEqual(contractHash(bumped), contractHash(c));
        },
      ),
    );
  });
});

describe("symbolFromContract", () => {
  it("builds the catalog entry: normal address, sorted caps, defaults, merged sorted tags", () => {
    const s = symbolFromContract(
      { ...METRICS, saddr: "RTT://core/api/metrics@1.0.0", tags: { zone: "eu", team: "obs" } },
      SOURCE,
      { team: "sidecar", alpha: "1" },
    );
    assert.deepEqual(s, {
      ...SAMPLE_CONTRACT,
      saddr: "rtt://core/api/metrics@1.0.0", // normalised
      capabilities: ["pull", "stream"], // sorted
      auth: { mode: "none" },
      tags: { alpha: "1", team: "sidecar", zone: "eu" },
      source: SOURCE,
      contract_hash: contractHash(METRICS),
      launch_hash: launchHash({ manifest: SOURCE.file, driver: "http", cwd: "services/metrics" }),
    });
    assert.deepEqual(Object.keys(s.tags), ["alpha", "team", "zone"]);
    assert.equal("io" in s, false);
    assert.equal("version_set" in s, false);
  });

  it("fills defaults for a minimal contract and keeps io and version_set when given", () => {
    const minimal: Contract = {
      saddr: "rtt://ui/hook/refresh@0.1.0",
      type: "hook",
      direction: "consumer",
    };
    assert.deepEqual(symbolFromContract(minimal, SOURCE), {
      saddr: "rtt://ui/hook/refresh@0.1.0",
      type: "hook",
      direction: "consumer",
      capabilities: [],
      inputs: [],
      outputs: [],
      qos: {},
      auth: { mode: "none" },
      tags: {},
      source: SOURCE,
      contract_hash: canonicalHash({
        ...minimal,
        capabilities: [],
        inputs: [],
        outputs: [],
        qos: {},
        auth: { mode: "none" },
      }),
      // A hook without x-run: no driver, the manifest's folder.
      launch_hash: launchHash({ manifest: SOURCE.file, cwd: "services/metrics" }),
    });
    const full = symbolFromContract({ ...minimal, io: "pubsub", version_set: "^0.1" }, SOURCE);
    assert.equal(full.io, "pubsub");
    assert.equal(full.version_set, "^0.1");
  });

  it("addressOf adds the contract's caps and io to the address", () => {
    const s = symbolFromContract({ ...METRICS, io: "stream" }, SOURCE);
    assert.deepEqual(addressOf(s), {
      ...parseConcrete("rtt://core/api/metrics@1.0.0"),
      caps: ["pull", "stream"],
      io: "stream",
    });
    assert.equal("io" in addressOf(symbolFromContract(METRICS, SOURCE)), false);
  });
});
