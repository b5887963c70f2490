/**
 * `rtt scan` has folders listed on the native addon's threads while the rest of the command
 * loads (ADR 0038). The lister must start before the modules that take longest to load —
 * @rtt/core's index and the scanner — or the walk waits for listings the threads could have
 * made meanwhile. The order is read from the modules the process loads: the addon is loaded by
 * the lister's start.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { describeRun, RTT_BIN, run } from "../support/run-rtt.ts";

const LIST_MODULES = new URL("../support/list-modules.ts", import.meta.url).pathname;

describe("rtt scan's start", () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "rtt-scan-start-"));
    const init = await run(process.execPath, [RTT_BIN, "init"], { cwd: dir });
    assert.equal(init.code, 0, describeRun(init));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of [["scan", "--local", "--json"], ["scan"]]) {
    it(`rtt ${args.join(" ")} starts listing before it loads @rtt/core's index or the scanner`, async () => {
      const out = join(dir, "modules.txt");
      const r = await run(
        process.execPath,
        ["--import", LIST_MODULES, RTT_BIN, "-C", dir, ...args],
        {
          cwd: dir,
          env: { RTT_TEST_MODULES_OUT: out },
          timeoutMs: 60_000,
        },
      );
      assert.equal(r.code, 0, describeRun(r));
      const modules = readFileSync(out, "utf8").split("\n");
      const at = (suffix: string) => {
        const i = modules.findIndex((m) => m.endsWith(suffix));
        assert.ok(i >= 0, `${suffix} was not loaded: ${modules.join("\n")}`);
        return i;
      };
      const addon = at(".node");
      assert.ok(addon < at("/packages/core/src/index.ts"), "@rtt/core's index loaded first");
      assert.ok(addon < at("/packages/panel/src/scan/scanner.ts"), "the scanner loaded first");
    });
  }
});
