import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { cCompile } from "./c-compile.ts";
import { fixtureTree } from "./fixture-tree.ts";
import { indexTree } from "./testing.ts";

/** A database with one entry per line, so entry k (from 0) is on line k + 2. */
const database = (entries: object[]) =>
  `[\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`;

const at = (line: number) => ({
  indexer: "c-compile",
  file: "relay/build/compile_commands.json",
  line,
});

describe("c-compile indexer", () => {
  it("claims each distinct linked target inside the workspace", async (t) => {
    const root = fixtureTree(t, {});
    const directory = join(root, "relay/build");
    const entries = [
      {
        directory,
        file: "../src/main.c",
        arguments: ["cc", "-c", "../src/main.c", "-o", "main.o"],
      },
      { directory, file: "../src/main.c", arguments: ["cc", "-o", "bin/relayd", "main.o", "-lm"] },
      { directory, file: "p.c", command: "cc -shared -fPIC -o 'librelay hooks.so.2' ../src/p.c" },
      { directory, file: "x.c", command: "cc -o /bin/sh x.c" },
      { directory, file: "x.c", arguments: ["cc", "-o", "../../../outside", "x.c"] },
      { directory, file: "x.c", arguments: ["cc", "x.c"], output: "tool" },
      { directory, file: "x.c", arguments: ["cc", "-obin/relayd", "x.c"] },
      { directory, file: "x.c", arguments: ["ar", "rcs", "libx.a"], output: "libx.a" },
      // a relative directory is taken from the database's own folder
      { directory: "relative/../..", file: "y.c", command: "cc -o y.out y.c" },
    ];
    // Written by hand: the database names its own absolute folder.
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "compile_commands.json"), database(entries));
    assert.deepEqual(await indexTree(cCompile, root), [
      {
        contract: {
          saddr: "rtt://relay/plugin/relay-hooks@0.0.0",
          type: "plugin",
          direction: "provider",
          "x-library": "librelay hooks.so.2",
        },
        score: 0.9,
        provenance: at(4),
      },
      {
        contract: {
          saddr: "rtt://relay/proc/relayd@0.0.0",
          type: "proc",
          direction: "both",
          "x-run": ["./relayd"],
          "x-cwd": "bin",
        },
        score: 0.9,
        provenance: at(3),
      },
      {
        contract: {
          saddr: "rtt://relay/proc/tool@0.0.0",
          type: "proc",
          direction: "both",
          "x-run": ["./tool"],
          "x-cwd": ".",
        },
        score: 0.9,
        provenance: at(7),
      },
      {
        contract: {
          saddr: "rtt://relay/proc/y.out@0.0.0",
          type: "proc",
          direction: "both",
          "x-run": ["./y.out"],
          "x-cwd": "..",
        },
        score: 0.9,
        provenance: at(10),
      },
    ]);
  });

  it("claims what a CMake build links, from each target's link.txt", async (t) => {
    const dir = "relay/cmake-build-debug/tools/CMakeFiles";
    const root = fixtureTree(t, {
      [`${dir}/relayctl.dir/link.txt`]:
        "/usr/bin/cc -O2 CMakeFiles/relayctl.dir/main.c.o -o relayctl  -lm\n",
      [`${dir}/hooks.dir/link.txt`]:
        "/usr/bin/cc -fPIC -shared -Wl,-soname,libhooks.so -o libhooks.so CMakeFiles/hooks.dir/h.c.o\n",
      [`${dir}/core.dir/link.txt`]:
        "/usr/bin/ar qc libcore.a CMakeFiles/core.dir/c.c.o\n/usr/bin/ranlib libcore.a\n",
      [`${dir}/evil.dir/link.txt`]: "cc -o ../../../../../../usr/bin/evil x.o\n",
      "relay/cmake-build-debug/CMakeFiles/relayd.dir/link.txt":
        "\n/usr/bin/cc main.o -o bin/relayd\n",
    });
    const at = (file: string, line: number) => ({ indexer: "c-compile", file, line });
    assert.deepEqual(
      (await indexTree(cCompile, root)).map((c) => [
        c.contract.saddr,
        c.contract["x-run"] ?? c.contract["x-library"],
        c.contract["x-cwd"],
        c.provenance,
      ]),
      [
        [
          "rtt://relay/plugin/hooks@0.0.0",
          "../../libhooks.so",
          undefined,
          at(`${dir}/hooks.dir/link.txt`, 1),
        ],
        [
          "rtt://relay/proc/relayctl@0.0.0",
          ["./relayctl"],
          "../..",
          at(`${dir}/relayctl.dir/link.txt`, 1),
        ],
        [
          "rtt://relay/proc/relayd@0.0.0",
          ["./relayd"],
          "../../bin",
          at("relay/cmake-build-debug/CMakeFiles/relayd.dir/link.txt", 2),
        ],
      ],
    );
  });

  it("refuses a database that is not an array, or not JSON", async (t) => {
    const object = fixtureTree(t, { "compile_commands.json": '{"directory": "/"}' });
    await assert.rejects(indexTree(cCompile, object), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SCHEMA");
      return true;
    });
    const broken = fixtureTree(t, { "compile_commands.json": '[\n{"directory": "/",}\n]' });
    await assert.rejects(indexTree(cCompile, broken), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.equal(error.position?.line, 2);
      return true;
    });
  });
});
