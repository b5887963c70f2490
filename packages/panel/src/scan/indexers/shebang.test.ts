/** The shebang indexer on a fixture tree: executable scripts only, never binaries or plain files. */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, describe, it } from "node:test";
import { segmentOf } from "./address.ts";
import { interpreterLine, SHEBANG_SCORE, shebangIndexer } from "./shebang.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-shebang-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, content: string | Buffer, mode: number): void {
  const abs = join(root, rel);
  mkdirSync(join(abs, ".."), { recursive: true });
  writeFileSync(abs, content);
  chmodSync(abs, mode);
}

put("tools/deploy.sh", "#!/bin/sh -eu\necho deploy\n", 0o755);
put("serve", "#! /usr/bin/env python3\nprint('hi')\n", 0o700);
put("tools/sub/deploy.sh", "#!/bin/bash\n", 0o755);
put("tools/notexec.sh", "#!/bin/sh\necho no\n", 0o644);
put("tools/fake", Buffer.concat([Buffer.from("#!"), Buffer.alloc(64)]), 0o755);
put("tools/garbage", Buffer.from([0x23, 0x21, 0x2f, 0xff, 0xfe, 0x80, 0x0a]), 0o755);
put("tools/relative.sh", "#!python\n", 0o755);
put("tools/readme.txt", "#!/bin/sh\n", 0o755);
put("tools/long", `#!/bin/${"x".repeat(300)}\n`, 0o755);
put("node_modules/x/cli.js", "#!/usr/bin/env node\n", 0o755);

describe("shebang indexer", () => {
  it("claims executable scripts with an interpreter line, and nothing else", async () => {
    const top = segmentOf(basename(root));
    assert.deepEqual(await indexTree(shebangIndexer, root), [
      {
        contract: {
          saddr: `rtt://${top}/proc/serve@0.0.0`,
          type: "proc",
          direction: "both",
          io: "stream",
          "x-run": ["./serve"],
          "x-cwd": ".",
          "x-interpreter": "/usr/bin/env python3",
        },
        score: SHEBANG_SCORE,
        provenance: { indexer: "shebang", file: "serve", line: 1 },
        namedByPath: true,
      },
      {
        contract: {
          saddr: "rtt://tools/proc/deploy.sh@0.0.0",
          type: "proc",
          direction: "both",
          io: "stream",
          "x-run": ["./deploy.sh"],
          "x-cwd": ".",
          "x-interpreter": "/bin/sh -eu",
        },
        score: SHEBANG_SCORE,
        provenance: { indexer: "shebang", file: "tools/deploy.sh", line: 1 },
        namedByPath: true,
      },
      {
        contract: {
          saddr: "rtt://tools/proc/sub-deploy.sh@0.0.0",
          type: "proc",
          direction: "both",
          io: "stream",
          "x-run": ["./deploy.sh"],
          "x-cwd": ".",
          "x-interpreter": "/bin/bash",
        },
        score: SHEBANG_SCORE,
        provenance: { indexer: "shebang", file: "tools/sub/deploy.sh", line: 1 },
        namedByPath: true,
      },
    ]);
  });

  it("wants scripts by name only", () => {
    const entry = (name: string) => ({ rel: name, abs: `/w/${name}`, name, kind: "file" as const });
    assert.equal(shebangIndexer.wants(entry("run")), true);
    assert.equal(shebangIndexer.wants(entry("run.py")), true);
    assert.equal(shebangIndexer.wants(entry("data.json")), false);
    assert.equal(shebangIndexer.wants({ ...entry("run"), kind: "fifo" }), false);
  });

  it("reads a CRLF line and a multi-byte character cut by the sniff", () => {
    assert.deepEqual(interpreterLine(Buffer.from("#!/bin/bash\r\n")), {
      interpreter: "/bin/bash",
      args: "",
    });
    const cut = Buffer.concat([Buffer.from("#!/bin/sh\n# é"), Buffer.from("é").subarray(0, 1)]);
    assert.equal(interpreterLine(cut)?.interpreter, "/bin/sh");
    assert.equal(interpreterLine(Buffer.from("#!/bin/sh\x01\n")), undefined);
  });
});
