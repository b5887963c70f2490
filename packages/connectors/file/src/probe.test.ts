import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { parseConcrete } from "@rtt/core";
import { nameFor, probeFiles } from "./probe.ts";

it("finds FIFOs and sockets by stat and NDJSON logs by name, as valid concrete file symbols", async () => {
  const root = mkdtempSync(join(tmpdir(), "rtt-probe-"));
  mkdirSync(join(root, "run"));
  mkdirSync(join(root, "node_modules"));
  execFileSync("mkfifo", [join(root, "run", "Events Pipe")]);
  writeFileSync(join(root, "app.ndjson"), "{}\n");
  writeFileSync(join(root, "node_modules", "skip.ndjson"), "{}\n");
  writeFileSync(join(root, "notes.txt"), "x");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(root, "run", "api.sock"), resolve));
  try {
    const found = probeFiles(root);
    assert.deepEqual(
      found.map((f) => [f.kind, f.contract.saddr]),
      [
        ["ndjson", "rtt://fs/file/app.ndjson@1.0.0#ndjson"],
        ["fifo", "rtt://fs/file/run-events-pipe@1.0.0#fifo"],
        ["socket", "rtt://fs/file/run-api.sock@1.0.0#socket"],
      ],
    );
    for (const f of found) assert.equal(parseConcrete(f.contract.saddr).type, "file");
    assert.equal(nameFor("..//Ünïcode File"), "n-code-file");
  } finally {
    server.close();
    rmSync(root, { recursive: true, force: true });
  }
});
