// The TypeScript types in src/generated/ (and the panel's JSON form) come from proto/rtt/v1/: regenerating
// them must give the committed files byte for byte (run `npm run generate` after editing the
// .proto), and the loaded service must have the methods the types promise.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fromJSON, type ServiceDefinition } from "@grpc/proto-loader";
import {
  CONNECTOR_DESCRIPTOR,
  GENERATED_DIR,
  generateProtoTypes,
  PANEL_DESCRIPTOR,
} from "../scripts/generate-proto-types.ts";
import {
  connectorPackage,
  LOADER_OPTIONS,
  loadProtoDefinition,
  PANEL_PROTO_PATH,
  PROTO_PATH,
  panelPackage,
} from "../src/wire.ts";

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), readFileSync(path, "utf8"));
  }
  return out;
}

test("src/generated/ is what proto-loader-gen-types makes of connector.proto today", () => {
  const fresh = mkdtempSync(join(tmpdir(), "rtt-proto-types-"));
  try {
    generateProtoTypes(fresh);
    const want = files(fresh);
    const have = files(GENERATED_DIR);
    assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort(), "run `npm run generate`");
    for (const [name, text] of want)
      assert.equal(have.get(name), text, `${name}: run \`npm run generate\``);
    assert.ok(want.size > 20);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

test("the loaded service has every method of the Connector contract", () => {
  const methods = Object.keys(connectorPackage().Connector.service).sort();
  assert.deepEqual(methods, [
    "Bind",
    "Close",
    "GetInfo",
    "Handshake",
    "Health",
    "ListLinks",
    "Offer",
    "Open",
    "Probe",
    "Rx",
    "Shutdown",
    "Switch",
    "Throttle",
    "Tx",
  ]);
});

test("every field of connector.proto has a comment", () => {
  const proto = readFileSync(
    new URL("../../../proto/rtt/v1/connector.proto", import.meta.url),
    "utf8",
  );
  const lines = proto.split("\n");
  let fields = 0;
  lines.forEach((line, i) => {
    // A field: `type name = N;` inside a message (map and repeated included).
    if (!/^\s+(repeated\s+)?[\w.<>, ]+\s+\w+\s*=\s*\d+;/.test(line)) return;
    fields++;
    assert.match(lines[i - 1] ?? "", /^\s*\/\//, `line ${i + 1} has no comment: ${line.trim()}`);
  });
  assert.ok(fields >= 50, `only ${fields} fields found: is the pattern still right?`);
});

for (const [proto, descriptor] of [
  [PANEL_PROTO_PATH, PANEL_DESCRIPTOR],
  [PROTO_PATH, CONNECTOR_DESCRIPTOR],
] as const)
  test(`the package loaded from ${descriptor} is the one parsed from its .proto`, () => {
    // Every message and enum as proto-loader describes it (fields, numbers, types, oneofs, maps,
    // defaults), and every method's path, streaming and types: the JSON loses nothing the wire uses.
    const fromProto = loadProtoDefinition(proto);
    const fromJson = fromJSON(
      JSON.parse(readFileSync(join(GENERATED_DIR, descriptor), "utf8")),
      LOADER_OPTIONS,
    );
    assert.deepEqual(Object.keys(fromJson).sort(), Object.keys(fromProto).sort());
    for (const [name, want] of Object.entries(fromProto)) {
      const have = fromJson[name];
      if ("type" in want) {
        assert.ok(have !== undefined && "type" in have, name);
        assert.deepEqual(have.type, want.type, name);
      } else {
        const methods: ServiceDefinition = have as ServiceDefinition;
        for (const [method, m] of Object.entries(want as ServiceDefinition)) {
          const h = methods[method];
          assert.ok(h !== undefined, `${name}.${method}`);
          assert.equal(h.path, m.path);
          assert.equal(h.requestStream, m.requestStream);
          assert.equal(h.responseStream, m.responseStream);
          assert.deepEqual(h.requestType.type, m.requestType.type);
          assert.deepEqual(h.responseType.type, m.responseType.type);
        }
      }
    }
    assert.ok(Object.keys(panelPackage().Panel.service).includes("Status"));
  });
