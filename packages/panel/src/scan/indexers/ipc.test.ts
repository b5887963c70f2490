/** The IPC indexer on a fixture tree: FIFOs and sockets by type, IPC files by name, schemas. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { probeFiles } from "@rtt/connector-file/probe";
import { IPC_SCORE, ipcIndexer } from "./ipc.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-ipc-"));
let server: Server;

before(async () => {
  mkdirSync(join(root, "run"));
  mkdirSync(join(root, "api", "schemas"), { recursive: true });
  execFileSync("mkfifo", [join(root, "run", "Events")]);
  mkdirSync(join(root, ".rtt", "run"), { recursive: true });
  execFileSync("mkfifo", [join(root, ".rtt", "run", "journal.fifo")]);
  server = createServer();
  await new Promise<void>((resolve) => server.listen(join(root, "run", "ctl"), resolve));
  writeFileSync(join(root, "run", "app.sock"), "");
  writeFileSync(join(root, "run", "in.fifo"), "");
  writeFileSync(join(root, "run", "jobs.mq"), "");
  writeFileSync(join(root, "api", "schemas", "Metrics.Query.schema.json"), '{"type":"object"}');
  writeFileSync(join(root, "api", "schemas", "broken.schema.json"), "{not json");
  writeFileSync(join(root, "api", "schemas", "list.schema.json"), "[1]");
  writeFileSync(join(root, "api", "schemas", ".schema.json"), "{}");
  writeFileSync(join(root, "run", "notes.txt"), "x");
});
after(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const at = (file: string) => ({ score: IPC_SCORE, provenance: { indexer: "ipc", file, line: 1 } });
const stream = { type: "file", direction: "both", capabilities: ["stream"], io: "stream" };

describe("ipc indexer", () => {
  it("claims FIFOs, sockets, IPC-named files and schemas, and nothing else (not RTT's own)", async () => {
    assert.deepEqual(await indexTree(ipcIndexer, root), [
      {
        contract: {
          saddr: "rtt://api/file/metrics.query@0.0.0",
          type: "file",
          direction: "provider",
          "x-path": "Metrics.Query.schema.json",
          "x-schema": "json://metrics.query",
        },
        ...at("api/schemas/Metrics.Query.schema.json"),
      },
      {
        contract: {
          saddr: "rtt://fs/file/run-app.sock@1.0.0#socket",
          ...stream,
          "x-path": "app.sock",
        },
        ...at("run/app.sock"),
      },
      {
        contract: { saddr: "rtt://fs/file/run-ctl@1.0.0#socket", ...stream, "x-path": "ctl" },
        ...at("run/ctl"),
      },
      {
        contract: { saddr: "rtt://fs/file/run-events@1.0.0#fifo", ...stream, "x-path": "Events" },
        ...at("run/Events"),
      },
      {
        contract: { saddr: "rtt://fs/file/run-in.fifo@1.0.0#fifo", ...stream, "x-path": "in.fifo" },
        ...at("run/in.fifo"),
      },
      {
        contract: {
          saddr: "rtt://fs/queue/run-jobs.mq@1.0.0",
          type: "queue",
          direction: "both",
          "x-path": "jobs.mq",
        },
        ...at("run/jobs.mq"),
      },
    ]);
  });

  it("addresses a FIFO or socket exactly as the file connector's probe does", async () => {
    const probed = probeFiles(root).filter((f) => f.kind !== "ndjson");
    const claimed = await indexTree(ipcIndexer, root);
    for (const p of probed) {
      const claim = claimed.find((c) => c.contract.saddr === p.contract.saddr);
      assert.ok(claim, `no claim for ${p.contract.saddr}`);
      const { "x-path": _path, ...contract } = claim.contract;
      assert.deepEqual(contract, p.contract);
    }
    assert.equal(probed.length, 2);
  });
});
