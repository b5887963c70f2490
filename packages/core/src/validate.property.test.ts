import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DOCUMENT_SCHEMAS } from "./document-schemas.ts";
import { DOCS } from "./testing/document-arbitraries.ts";
import { apply, collect, type Mutation, type SchemaNode } from "./testing/document-mutations.ts";
import { describeDiagnostics, lineCol, pathKey, print } from "./testing/printed-documents.ts";
import { type DocumentKind, validateDocument } from "./validate.ts";

const KINDS: readonly DocumentKind[] = ["manifest", "routes", "policy", "panel-config"];

describe("validateDocument: properties", () => {
  for (const kind of KINDS) {
    const file = kind === "panel-config" ? "panel.yaml" : `${kind}.json`;

    it(`${kind}: generated valid documents validate, value intact`, () => {
      fc.assert(
        fc.property(DOCS[kind], (doc) => {
          const { text } = print(kind, doc);
          const r = validateDocument(kind, text, file);
          assert.ok(r.ok, r.ok ? "" : `${text}\n${describeDiagnostics(r.diagnostics)}`);
          assert.deepEqual(r.value, JSON.parse(JSON.stringify(doc)));
        }),
        { numRuns: 60 },
      );
    });

    it(`${kind}: one mutation gives a diagnostic at exactly the mutated spot`, () => {
      const schema = DOCUMENT_SCHEMAS[kind] as unknown as SchemaNode;
      const seen = new Set<Mutation["kind"]>();
      fc.assert(
        fc.property(DOCS[kind], fc.nat(), fc.nat(), fc.nat(), (doc, k, n, pick) => {
          const sites: Mutation[] = [];
          collect(doc, schema, [], sites);
          const usable = sites.filter((s) => s.kind !== "bad-address" || s.spots.length > 0);
          const kinds = [...new Set(usable.map((s) => s.kind))];
          const kindPicked = kinds[k % kinds.length];
          const ofKind = usable.filter((s) => s.kind === kindPicked);
          const site = ofKind[n % ofKind.length];
          if (site === undefined) return;
          seen.add(site.kind);
          const mutated = apply(doc, site, pick);
          const printed = print(kind, mutated.doc);
          const r = validateDocument(kind, printed.text, file);
          const where = lineCol(printed.text, mutated.expect(printed));
          const context = `${site.kind} at ${pathKey(site.path)}\n${printed.text}`;
          assert.equal(r.ok, false, context);
          if (r.ok) return;
          const hit = r.diagnostics.find(
            (d) =>
              d.line === where.line && d.column === where.column && mutated.message.test(d.message),
          );
          assert.ok(
            hit !== undefined,
            `no diagnostic at ${where.line}:${where.column} for ${context}\ngot:\n${describeDiagnostics(r.diagnostics)}`,
          );
          assert.equal(hit.code, "RTT_ERR_DOC_SCHEMA");
          assert.equal(hit.file, file);
          if (mutated.hint !== undefined) assert.equal(hit.hint, mutated.hint);
        }),
        { numRuns: 150 },
      );
      const expected: Mutation["kind"][] =
        kind === "panel-config"
          ? ["wrong-type", "unknown-key"]
          : ["wrong-type", "unknown-key", "missing", "bad-address"];
      for (const k of expected) assert.ok(seen.has(k), `mutation ${k} never tried for ${kind}`);
    });

    it(`${kind}: any text gives a result, never an exception`, () => {
      // Fragments of both syntaxes, so short texts reach anchors, aliases, tags and nesting.
      const tokens = fc
        .array(
          fc.constantFrom(
            ..."{}[]:,-?!&*#'\" \n\t",
            "*a",
            "&a",
            "!!binary",
            "<<",
            "---",
            "routes",
            '"symbol"',
            "1e999",
            "null",
            "scan:",
            "  roots:",
          ),
          { maxLength: 12 },
        )
        .map((parts) => parts.join(""));
      const text = fc.oneof(
        fc.string(),
        fc.string({ unit: "binary" }),
        tokens,
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 1)),
      );
      fc.assert(
        fc.property(text, (t) => {
          const r = validateDocument(kind, t, file);
          if (!r.ok) {
            assert.ok(r.diagnostics.length > 0);
            for (const d of r.diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});
