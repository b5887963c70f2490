import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadDocument } from "./documents.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-documents-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROUTES = '{"routes": [{"id": "r", "from": "rtt://a/bus/x", "to": "rtt://b/extension/y"}]}';

test("an absent document is its default, or an error naming it when one is required", () => {
  const abs = join(dir, "absent.json");
  assert.deepEqual(loadDocument("policy", abs, ".rtt/policy.json", { value: {} }), {
    value: {},
    diagnostics: [],
  });
  const required = loadDocument("routes", abs, ".rtt/routes.json", { missing: "rtt init" });
  assert.equal(required.value, undefined);
  assert.deepEqual(
    required.diagnostics.map((d) => [d.code, d.file, d.message, d.hint]),
    [["RTT_ERR_DOC_UNREADABLE", ".rtt/routes.json", ".rtt/routes.json is missing", "rtt init"]],
  );
});

test("a folder or bytes that are not UTF-8 are diagnostics naming the file, not exceptions", () => {
  const folder = join(dir, "folder.json");
  mkdirSync(folder);
  const binary = join(dir, "binary.json");
  writeFileSync(binary, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  for (const [abs, why] of [
    [folder, "it is a folder, not a file"],
    [binary, "it is not UTF-8 text"],
  ] as const) {
    const r = loadDocument("routes", abs, "routes.json", { missing: "" });
    assert.equal(r.value, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.message]),
      [["RTT_ERR_DOC_UNREADABLE", `cannot read routes.json: ${why}`]],
    );
  }
});

test("a byte-order mark is read past, as the scanner reads manifests", () => {
  const abs = join(dir, "bom.json");
  writeFileSync(abs, `\uFEFF${ROUTES}`);
  const r = loadDocument("routes", abs, "routes.json", { missing: "" });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.value?.routes[0]?.id, "r");
});
