// docs/connectors.md is the specification a driver in another language is written from: its
// example messages must parse with the real decoders, and its field lists must be the proto's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  CONTROL_TYPES,
  type ControlKind,
  encodeControl,
  lanesOfLine,
  loadProtoDefinition,
  parseControl,
  parseHandshake,
  TRIP_REASONS,
} from "@rtt/connector-sdk";
import { connectorMethodTable } from "@rtt/connector-sdk/framed/protobuf-methods.ts";
import { decodeFrame, FrameType } from "@rtt/fabric";

const REPO = new URL("..", import.meta.url).pathname;
const DOC = readFileSync(join(REPO, "docs/connectors.md"), "utf8");
const PROTO = join(REPO, "proto/rtt/v1/connector.proto");

/** The first fenced block after the `<!-- marker -->` comment. */
function blockAfter(marker: string): string {
  const at = DOC.indexOf(`<!-- ${marker} -->`);
  assert.ok(at >= 0, `docs/connectors.md has no <!-- ${marker} --> block`);
  const m = /```[a-z]*\n([\s\S]*?)\n```/.exec(DOC.slice(at));
  assert.ok(m?.[1] !== undefined, `no fenced block after <!-- ${marker} -->`);
  return m[1];
}

/** The markdown table after `<!-- marker -->`: its rows' cells, header and rule left out. */
function tableAfter(marker: string): string[][] {
  const at = DOC.indexOf(`<!-- ${marker} -->`);
  assert.ok(at >= 0, `docs/connectors.md has no <!-- ${marker} --> table`);
  const lines = DOC.slice(at).split("\n").slice(1);
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const codeWords = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");

describe("docs/connectors.md against the code", () => {
  it("numbers the Connector's methods on the framed socket as the proto orders them", () => {
    const at = DOC.indexOf("**A driver's framed socket.**");
    assert.ok(at >= 0, "docs/connectors.md has no paragraph on a driver's framed socket");
    const list = /method id the method's place in `service Connector` \(([^)]*)\)/.exec(
      DOC.slice(at).replace(/\s+/g, " "),
    );
    assert.ok(list?.[1] !== undefined, "no method id list");
    const documented = list[1].split(", ").map((entry) => {
      const [name = "", id = ""] = entry.split(" ");
      return [name, Number(id)];
    });
    assert.deepEqual(
      documented,
      connectorMethodTable().byId.map((m) => [m.name, m.id]),
    );
  });

  it("the handshake line example parses, and its lanes field is read", () => {
    const h = parseHandshake(blockAfter("handshake-example"));
    assert.equal(h.network, "unix");
    assert.deepEqual(lanesOfLine(h.extra), ["uds", "tcp"]);
  });

  for (const kind of Object.keys(CONTROL_TYPES) as ControlKind[]) {
    it(`the ${kind} example is a valid control message, byte for byte as the encoder writes it`, () => {
      const text = blockAfter(`qc:${kind}`);
      const parsed = parseControl(CONTROL_TYPES[kind], Buffer.from(text));
      assert.equal(parsed.kind, kind);
      assert.equal(encodeControl(parsed).payload.toString(), text);
    });
  }

  it("names every TRIP reason", () => {
    const missing = TRIP_REASONS.filter((r) => !DOC.includes(`\`${r}\``));
    assert.deepEqual(missing, []);
  });

  it("the frame example decodes as documented", () => {
    const hex = blockAfter("frame-example").replace(/\s+/g, "");
    const frame = decodeFrame(Buffer.from(hex, "hex"));
    assert.equal(frame.type, FrameType.DATA);
    assert.equal(frame.seq, 1);
    assert.equal(frame.correlation, 7);
    assert.equal(Buffer.from(frame.payload).toString(), "hi");
  });

  it("lists every message of rtt.connector.v1 with exactly its fields", () => {
    const definition = loadProtoDefinition(PROTO);
    const proto = new Map<string, string[]>();
    for (const [name, def] of Object.entries(definition)) {
      const type = (def as { type?: { field?: { name: string }[] } }).type;
      if (!name.startsWith("rtt.connector.v1.") || type?.field === undefined) continue;
      proto.set(name.slice("rtt.connector.v1.".length), type.field.map((f) => f.name).sort());
    }
    const doc = new Map(
      tableAfter("proto-fields").map(([message = "", fields = ""]) => [
        codeWords(message)[0] ?? message,
        codeWords(fields).sort(),
      ]),
    );
    assert.deepEqual([...doc.keys()].sort(), [...proto.keys()].sort(), "the messages");
    for (const [name, fields] of proto) assert.deepEqual(doc.get(name), fields, name);
  });
});
