import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { fixtureTree } from "./fixture-tree.ts";
import { go } from "./go.ts";
import { indexTree } from "./testing.ts";

const proc = (saddr: string, file: string, line: number) => ({
  contract: { saddr, type: "proc", direction: "both", "x-run": ["go", "run", "."], "x-cwd": "." },
  score: 0.9,
  provenance: { indexer: "go", file, line },
});

describe("go indexer", () => {
  it("claims each package main folder of a module, by Go's own file rules", async (t) => {
    const root = fixtureTree(t, {
      "svc/go.mod": "// the relay\nmodule example.com/relay/v2 // major 2\n\ngo 1.22\n",
      "svc/main.go":
        "// Copyright\n/* a block\n   comment */\n//go:build linux\n\npackage main\n\n//go:generate stringer -type=Mode\nfunc main() {}\n",
      "svc/cmd/relayctl/main.go": "package main\n\nfunc main() {}\n",
      "svc/cmd/relayctl/main_test.go": "package main_test\n",
      // a generator beside a library, kept out of the build by its constraint
      "svc/internal/lib/lib.go": "package lib\n",
      "svc/internal/lib/gen.go": "//go:build ignore\n\npackage main\n",
      "svc/testdata/prog/main.go": "package main\n",
      "svc/_old/main.go": "package main\n",
      "svc/.hidden/main.go": "package main\n",
      "svc/vendor/x/main.go": "package main\n",
      "svc/mixed/a.go": "package main\n",
      "svc/mixed/b.go": "package other\n",
      "svc/comment/main.go": "/* package main */\n// package main\npackage tools\n",
      "svc/tools/go.mod": "module example.com/tools\n",
      "svc/tools/main.go": "\n\npackage main\n",
      "orphan/main.go": "package main\n",
    });
    assert.deepEqual(await indexTree(go, root), [
      proc("rtt://example.com-relay-v2/proc/relay@0.0.0", "svc/main.go", 6),
      proc("rtt://example.com-relay-v2/proc/relayctl@0.0.0", "svc/cmd/relayctl/main.go", 1),
      proc("rtt://example.com-tools/proc/tools@0.0.0", "svc/tools/main.go", 3),
    ]);
  });

  it("records go:generate directives in a file's head as facts", async () => {
    const text =
      "package gen\n\n//go:generate go run ./tool -o out.go\n  //go:generate not-at-column-1\n";
    const facts = await go.read({
      rel: "gen/x.go",
      abs: "/nonexistent",
      name: "x.go",
      kind: "file",
      mode: 0o100644,
      size: text.length,
      head: (bytes = 1024) => Buffer.from(text).subarray(0, bytes),
      text: () => text,
    });
    assert.deepEqual(facts, [
      { kind: "package", name: "gen", line: 1 },
      { kind: "generate", line: 3, command: "go run ./tool -o out.go" },
    ]);
  });

  it("reads past the first 4 KB only when the package clause is not complete in it", async (t) => {
    const license = `/*\n${"Licensed under the Apache License.\n".repeat(200)}*/\n`;
    const straddle = `${"// pad\n".repeat(580)}${"/".repeat(25)}\npackage main\n`;
    assert.equal(straddle.indexOf("package main") + "package ma".length, 4096);
    const root = fixtureTree(t, {
      "go.mod": "module example.com/m\n",
      "long/main.go": `${license}package main\n\nfunc main() {}\n`,
      "straddle/main.go": `${straddle}\nfunc main() {}\n`,
      "late/main.go": `package main\n\n${"var _ = 1\n".repeat(500)}//go:generate echo late\n`,
    });
    const claims = await indexTree(go, root);
    assert.deepEqual(
      claims.map((c) => [c.contract.saddr, `${c.provenance.file}:${c.provenance.line}`]),
      [
        ["rtt://example.com-m/proc/late@0.0.0", "late/main.go:1"],
        ["rtt://example.com-m/proc/long@0.0.0", "long/main.go:203"],
        ["rtt://example.com-m/proc/straddle@0.0.0", "straddle/main.go:582"],
      ],
    );
  });

  it("refuses a go.mod without a module directive", async (t) => {
    const root = fixtureTree(t, { "go.mod": "go 1.22\n", "main.go": "package main\n" });
    await assert.rejects(indexTree(go, root), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.equal(error.position?.file, "go.mod");
      return true;
    });
  });
});
