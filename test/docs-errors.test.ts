// docs/errors.md documents every error code; this keeps the table and the catalog in step.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { ERROR_CATALOG } from "@rtt/core";

it("docs/errors.md lists every code of ERROR_CATALOG with its exit code, status and meaning", () => {
  const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
  const rows = doc.split("\n").filter((l) => l.startsWith("| `RTT_ERR_"));
  const documented = rows.map((row) => {
    const [code = "", exit = "", status = "", meaning = ""] = row
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    return { code: code.replaceAll("`", ""), exit: Number(exit), status, meaning };
  });
  const expected = Object.entries(ERROR_CATALOG).map(([code, spec]) => ({
    code,
    exit: spec.exitCode,
    status: spec.grpcStatus,
    meaning: spec.meaning,
  }));
  assert.deepEqual(documented, expected);
});
