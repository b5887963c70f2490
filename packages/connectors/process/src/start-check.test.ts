/**
 * A failed start fails Open (issue 16), with real programs: a missing one, one that exits at
 * once with 3, one not executable, one that finishes with 0 (a start all the same), and the
 * readiness kinds — a stderr line, a Unix socket, a TCP port — each reached, and one never
 * reached, timed out.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { accepts } from "@rtt/connector-sdk";
import { type Contract, RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { isAlive } from "@rtt/fabric";
import fc from "fast-check";
import { processConnector } from "./driver.ts";
import { startCheckOf } from "./start-check.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-start-check-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const contract = (extra: Record<string, unknown>): Contract =>
  ({
    saddr: "rtt://obs/extension/sink@1.0.0",
    type: "extension",
    direction: "consumer",
    "x-cwd": dir,
    ...extra,
  }) as Contract;

/** A port nothing listens on now (the kernel's pick, released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

async function openFails(
  extra: Record<string, unknown>,
  context: { stateDir?: string } = {},
): Promise<RttError> {
  try {
    const endpoint = await processConnector.open(contract(extra), {}, context);
    await processConnector.close(endpoint, { detach: false });
  } catch (error) {
    assert.ok(error instanceof RttError, String(error));
    return error;
  }
  assert.fail("Open succeeded");
}

describe("the process driver's start check", () => {
  it("a program that does not exist fails Open, naming the argv and ENOENT", async () => {
    const error = await openFails({ "x-run": ["jqq-rtt-missing", "."] });
    assert.equal(error.code, "RTT_ERR_PROGRAM_START");
    assert.match(error.message, /program \["jqq-rtt-missing","\."\] did not start/);
    assert.match(error.message, /ENOENT/);
  });

  it("a program that is not executable fails Open with EACCES", async () => {
    writeFileSync(join(dir, "not-executable.sh"), "#!/bin/sh\ncat\n", { mode: 0o644 });
    const error = await openFails({ "x-run": ["./not-executable.sh"] });
    assert.match(error.message, /program \["\.\/not-executable\.sh"\] did not start: .*EACCES/);
  });

  it("a program that exits at once with 3 fails Open, quoting its last stderr lines", async () => {
    const error = await openFails({
      "x-run": ["sh", "-c", "for i in 1 2 3 4 5 6 7; do echo line$i >&2; done; exit 3"],
    });
    assert.equal(error.code, "RTT_ERR_PROGRAM_START");
    assert.match(error.message, /exited with code 3/);
    assert.match(error.message, /line3 \| line4 \| line5 \| line6 \| line7$/);
    assert.doesNotMatch(error.message, /line2/);
  });

  it("in a state directory (a journaled route's end) a missing program is the shell's 127", async () => {
    const stateDir = join(dir, "state-missing");
    const error = await openFails({ "x-run": ["jqq-rtt-missing"] }, { stateDir });
    assert.match(
      error.message,
      /exited with code 127 \(the shell's "command not found"\); its last stderr lines: .*jqq-rtt-missing: not found/,
    );
    assert.equal(existsSync(stateDir), false, "nothing of the end is left to adopt");
  });

  it("in a state directory its stderr is seen too: a readiness line", async () => {
    const marker = join(dir, "ready-in-dir");
    const script = `sleep 0.4; touch ${marker}; echo "up" >&2; exec cat`;
    const endpoint = await processConnector.open(
      contract({ "x-run": ["sh", "-c", script], "x-ready": { line: "^up$" } }),
      {},
      { stateDir: join(dir, "state-ready") },
    );
    try {
      assert.ok(existsSync(marker), "Open resolved before the program said it was ready");
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("a program that finishes with 0 at once started fine (a one-shot)", async () => {
    const endpoint = await processConnector.open(contract({ "x-run": ["true"] }), {}, {});
    await processConnector.close(endpoint, { detach: false });
  });

  it("only the start is gated: a program failing after it settled is respawned", async () => {
    const runs = join(dir, "late-failure.runs");
    const endpoint = await processConnector.open(
      contract({ "x-run": ["sh", "-c", `echo run >> ${runs}; sleep 0.4; exit 3`] }),
      {},
      {},
    );
    try {
      await eventually(() => readFileSync(runs, "utf8").split("\n").length > 2, {
        what: "a second run of the program",
      });
      assert.ok((await processConnector.health(endpoint)).err?.includes("exited with code 3"));
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("waits for a readiness line on stderr", async () => {
    const marker = join(dir, "ready-marker");
    // Ready well after the settle window: Open returning before the marker would not wait.
    const script = `sleep 0.4; touch ${marker}; echo "server ready" >&2; exec cat`;
    const endpoint = await processConnector.open(
      contract({ "x-run": ["sh", "-c", script], "x-ready": { line: "ready$" } }),
      {},
      {},
    );
    try {
      assert.ok(existsSync(marker), "Open resolved before the program said it was ready");
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("waits for a Unix socket to accept", async () => {
    const server = `require("node:net").createServer().listen("ready.sock")`;
    const endpoint = await processConnector.open(
      contract({
        "x-run": [process.execPath, "-e", `setTimeout(() => ${server}, 300)`],
        "x-ready": { socket: "ready.sock" },
      }),
      {},
      {},
    );
    try {
      assert.ok(existsSync(join(dir, "ready.sock")));
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("waits for a TCP port on 127.0.0.1 to accept", async () => {
    const port = await freePort();
    const server = `require("node:net").createServer().listen(${port}, "127.0.0.1")`;
    const endpoint = await processConnector.open(
      contract({
        "x-run": [process.execPath, "-e", `setTimeout(() => ${server}, 300)`],
        "x-ready": { port },
      }),
      {},
      {},
    );
    try {
      assert.ok(
        await accepts({ port, host: "127.0.0.1" }),
        "Open resolved before the port listened",
      );
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("a program never ready fails Open after its timeout, and is ended", async () => {
    const pidFile = join(dir, "never-ready.pid");
    const error = await openFails({
      // Deaf to the end of its input: it is ended, not drained.
      "x-run": ["sh", "-c", `echo $$ > ${pidFile}; exec sleep 1000`],
      "x-ready": { line: "never said", timeout_ms: 300 },
    });
    assert.match(error.message, /not ready within 300 ms \(waited for a stderr line matching/);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await eventually(() => !isAlive(pid), { what: "the unready program ended" });
  });

  it("a bad x-ready or x-settle-ms is a schema error naming the key", async () => {
    const bad = await openFails({ "x-run": ["true"], "x-ready": { line: "(" } });
    assert.equal(bad.code, "RTT_ERR_DOC_SCHEMA");
    assert.match(bad.message, /x-ready\.line is not a regular expression/);
    const slow = await openFails({ "x-run": ["true"], "x-settle-ms": 60_000 });
    assert.match(slow.message, /x-settle-ms must be an integer from 0 to 7000/);
  });

  it("startCheckOf takes any x-ready value to a check or a schema error", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (ready, settle) => {
          try {
            const check = startCheckOf(
              { saddr: "rtt://a/proc/b", "x-ready": ready, "x-settle-ms": settle },
              dir,
            );
            assert.ok(check.settleMs >= 0 && check.readyTimeoutMs >= 0);
          } catch (error) {
            assert.ok(
              error instanceof RttError && error.code === "RTT_ERR_DOC_SCHEMA",
              String(error),
            );
          }
        },
      ),
    );
  });
});
