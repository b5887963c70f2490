import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { buildElf } from "./elf-builder.ts";
import { elfExports } from "./elf-exports.ts";
import { fixtureTree } from "./fixture-tree.ts";
import { indexTree } from "./testing.ts";

const plugin = (saddr: string, symbol: string) => ({
  contract: {
    saddr,
    type: "plugin",
    direction: "provider",
    "x-library": "librelay.so.1.2.3",
    "x-symbol": symbol,
  },
  score: 0.8,
  provenance: { indexer: "elf-exports", file: "lib/librelay.so.1.2.3", line: 1 },
});

describe("elf-exports indexer", () => {
  it("claims each exported rtt_* symbol of a shared library as a plugin", async (t) => {
    const root = fixtureTree(t, {
      "lib/librelay.so.1.2.3": buildElf([
        { name: "rtt_on_frame", bind: 1, type: 2, shndx: 1 },
        { name: "rtt_version", bind: 2, type: 1, shndx: 1 },
        { name: "rtt_hidden", bind: 1, type: 2, shndx: 1, visibility: 2 },
        { name: "rtt_imported", bind: 1, type: 2, shndx: 0 },
        { name: "rtt_local", bind: 0, type: 2, shndx: 1 },
        { name: "relay_open", bind: 1, type: 2, shndx: 1 },
      ]),
      // A linker script and a 32-bit build named like libraries; a library-looking text file
      "lib/libc.so": "/* GNU ld script */\nGROUP ( libc.so.6 )\n",
      "lib/libold.so": buildElf([{ name: "rtt_old", bind: 1, type: 2, shndx: 1 }], 1),
      "lib/notes.so.txt": buildElf([{ name: "rtt_notes", bind: 1, type: 2, shndx: 1 }]),
    });
    assert.deepEqual(await indexTree(elfExports, root), [
      plugin("rtt://relay/plugin/on_frame@1.2.3", "rtt_on_frame"),
      plugin("rtt://relay/plugin/version@1.2.3", "rtt_version"),
    ]);
  });

  it("reports a library gone since the walk at its file", () => {
    assert.throws(
      () =>
        elfExports.read({
          rel: "lib/libgone.so",
          abs: "/nonexistent/lib/libgone.so",
          name: "libgone.so",
          kind: "file",
          mode: 0o100644,
          size: 64,
          head: () => Buffer.from("\x7fELF", "latin1"),
          text: () => "",
        }),
      (error: unknown) =>
        error instanceof RttError &&
        error.code === "RTT_ERR_SCAN_UNREADABLE" &&
        error.position?.file === "lib/libgone.so",
    );
  });
});
