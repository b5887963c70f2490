import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topologyOf } from "../plan/topology.ts";
import { sbomDocument } from "./document.ts";
import {
  assertValidSbom,
  EVENTS,
  edge,
  LOGGER,
  LOGGER2,
  METRICS,
  sampleInput,
  UI,
} from "./sbom-fixtures.ts";
import { bomLink } from "./serial.ts";

interface Doc {
  serialNumber: string;
  metadata: { timestamp?: string; component: { name: string; version: string } };
  components: {
    "bom-ref": string;
    hashes?: { alg: string; content: string }[];
    properties: { name: string; value: string }[];
  }[];
  services: {
    "bom-ref": string;
    name: string;
    data: { flow: string; name: string; source?: string[]; destination?: string[] }[];
  }[];
}

const parse = (text: string): Doc => JSON.parse(text) as Doc;
const prop = (c: Doc["components"][number], name: string): string | undefined =>
  c.properties.find((p) => p.name === name)?.value;

describe("sbomDocument", () => {
  it("validates against the CycloneDX 1.6 strict schema", async () => {
    await assertValidSbom(sbomDocument(sampleInput()));
    await assertValidSbom(sbomDocument(sampleInput({ timestamp: new Date(0) })));
    // Nothing applied and nothing scanned is a valid (empty) document too.
    await assertValidSbom(
      sbomDocument(
        sampleInput({ catalog: [], committed: { seq: 0, topology: topologyOf([]) }, drivers: [] }),
      ),
    );
    // The check is real: a flow without its classification is refused.
    const broken = parse(sbomDocument(sampleInput()));
    const flow = broken.services[0]?.data[0] as { classification?: string } | undefined;
    assert.ok(flow);
    delete flow.classification;
    await assert.rejects(assertValidSbom(JSON.stringify(broken)));
  });

  it("is byte-identical for the same state, whatever order its inputs come in", () => {
    const a = sbomDocument(sampleInput());
    assert.equal(sbomDocument(sampleInput()), a);
    const input = sampleInput();
    const reordered = sbomDocument({
      ...input,
      catalog: [...input.catalog].reverse(),
      drivers: [...input.drivers].reverse(),
    });
    assert.equal(reordered, a);
    assert.equal(parse(a).metadata.timestamp, undefined, "no clock without --timestamp");
    assert.equal(
      parse(sbomDocument(sampleInput({ timestamp: new Date(0) }))).metadata.timestamp,
      "1970-01-01T00:00:00.000Z",
    );
  });

  it("lists RTT, the drivers and each symbol with its contract hash, signer and manifest", () => {
    const doc = parse(sbomDocument(sampleInput()));
    assert.deepEqual(doc.metadata.component.name, "rtt");
    const refs = doc.components.map((c) => c["bom-ref"]);
    assert.deepEqual(refs, [...refs].sort(), "in code-point order of bom-ref");
    const byRef = new Map(doc.components.map((c) => [c["bom-ref"], c]));
    const logger = byRef.get(LOGGER.saddr);
    assert.ok(logger, "the logger is a component under its saddr");
    assert.equal(prop(logger, "rtt:saddr"), LOGGER.saddr);
    assert.equal(prop(logger, "rtt:contract_hash"), LOGGER.contract_hash);
    assert.equal(prop(logger, "rtt:signer"), "unsigned");
    assert.equal(prop(logger, "rtt:manifest"), "services/logger/rtt.manifest.json");
    assert.deepEqual(logger.hashes, [{ alg: "SHA-256", content: "c".repeat(64) }]);
    assert.equal(prop(logger, "rtt:x-run"), '["node","logger.mjs"]', "what runs for it");
    const metrics = byRef.get(METRICS.saddr);
    assert.equal(metrics && prop(metrics, "rtt:signer"), METRICS.signer?.key);
    assert.equal(metrics && prop(metrics, "rtt:signer_trusted"), "true");
    assert.deepEqual(byRef.get("rtt-driver:process")?.hashes, [
      { alg: "SHA-256", content: "a".repeat(64) },
    ]);
    const gone = byRef.get("rtt-driver:gone");
    assert.equal(gone && prop(gone, "rtt:entry"), "(no such driver)");
    const orphan = byRef.get("rtt://old/bus/ticks@0.1.0");
    assert.equal(orphan && prop(orphan, "rtt:manifest"), "(not in the catalog)");
  });

  it("describes each wired route as a service with its data flows as BOM-links", () => {
    const doc = parse(sbomDocument(sampleInput()));
    assert.deepEqual(
      doc.services.map((s) => s.name),
      ["events-to-log", "orphan", "ui-refresh"],
    );
    const events = doc.services.find((s) => s.name === "events-to-log");
    assert.deepEqual(
      events?.data.map((d) => [d.flow, d.name, d.source ?? d.destination]),
      [
        ["inbound", "frames", [bomLink(doc.serialNumber, EVENTS.saddr)]],
        ["outbound", "frames", [bomLink(doc.serialNumber, LOGGER.saddr)]],
      ],
    );
    const ui = doc.services.find((s) => s.name === "ui-refresh");
    assert.deepEqual(
      ui?.data.map((d) => `${d.flow} ${d.name} ${d.source ?? d.destination}`),
      [
        `inbound requests ${bomLink(doc.serialNumber, UI.saddr)}`,
        `outbound requests ${bomLink(doc.serialNumber, METRICS.saddr)}`,
        `inbound responses ${bomLink(doc.serialNumber, METRICS.saddr)}`,
        `outbound responses ${bomLink(doc.serialNumber, UI.saddr)}`,
      ],
    );
  });

  it("changes, serial included, when a route moves to another target", async () => {
    const before = sampleInput();
    const moved = sampleInput({
      committed: {
        seq: 4,
        topology: topologyOf([
          ...Object.values(before.committed.topology.edges).filter(
            (e) => e.route !== "events-to-log",
          ),
          edge("events-to-log", EVENTS, LOGGER2, "oneway"),
        ]),
      },
    });
    const a = parse(sbomDocument(before));
    const b = parse(sbomDocument(moved));
    assert.notEqual(a.serialNumber, b.serialNumber);
    const target = (d: Doc): string | undefined =>
      d.services.find((s) => s.name === "events-to-log")?.data[1]?.destination?.[0];
    assert.equal(target(b), bomLink(b.serialNumber, LOGGER2.saddr));
    await assertValidSbom(JSON.stringify(b));
  });
});
