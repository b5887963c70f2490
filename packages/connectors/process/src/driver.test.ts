import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RxMessage } from "@rtt/connector-sdk";
import type { Contract } from "@rtt/core";
import { processConnector } from "./driver.ts";

// A request/response hook: two request lines out, then each stdin line echoed back, tagged.
const HOOK = `console.log(JSON.stringify({ method: "GET", path: "/a" }));
console.log(JSON.stringify({ method: "GET", path: "/b" }));
process.stdin.setEncoding("utf8"); let b = "";
process.stdin.on("data", (d) => { b += d; let i;
  while ((i = b.indexOf("\\n")) >= 0) { process.stdout.write("reply:" + b.slice(0, i) + "\\n"); b = b.slice(i + 1); } });`;

const contract = (extra: Partial<Contract>): Contract =>
  ({
    saddr: "rtt://ui/hook/refresh@1.0.0",
    type: "hook",
    direction: "consumer",
    ...extra,
  }) as Contract;

/** The next `n` messages, without ending the iteration (a for-await `break` would). */
async function take(
  rx: AsyncIterator<Uint8Array | RxMessage>,
  n: number,
): Promise<{ text: string; correlation: number }[]> {
  const out: { text: string; correlation: number }[] = [];
  while (out.length < n) {
    const next = await rx.next();
    if (next.done === true) break;
    const m = next.value;
    out.push(
      m instanceof Uint8Array
        ? { text: Buffer.from(m).toString(), correlation: 0 }
        : { text: Buffer.from(m.payload).toString(), correlation: m.correlation },
    );
  }
  return out;
}

describe("process driver", () => {
  it("numbers the output of an io=req symbol by default, and a reply reaches stdin as one line", async () => {
    const endpoint = await processConnector.open(
      contract({ io: "req", "x-run": [process.execPath, "-e", HOOK] } as Partial<Contract>),
      {},
      {},
    );
    try {
      const rx = processConnector.rx(endpoint)[Symbol.asyncIterator]();
      const requests = await take(rx, 2);
      assert.deepEqual(
        requests.map((r) => r.correlation),
        [1, 2],
      );
      // A response message as the http driver sends it: one JSON object, no newline inside.
      const response = JSON.stringify({
        status: 200,
        body: Buffer.from("a\nb").toString("base64"),
      });
      await processConnector.tx(endpoint, Buffer.from(response), { correlation: 1 });
      const [reply] = await take(rx, 1);
      assert.equal(reply?.text, `reply:${response}`);
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("leaves other output unnumbered unless told, and takes correlate from the route", async () => {
    const program = [process.execPath, "-e", 'console.log("x"); process.stdin.resume()'];
    for (const [io, params, expected] of [
      ["stream", {}, 0],
      [undefined, {}, 0],
      ["stream", { correlate: "sequence" }, 1],
      ["req", { correlate: "none" }, 0],
    ] as const) {
      const endpoint = await processConnector.open(
        contract({ ...(io === undefined ? {} : { io }), "x-run": program } as Partial<Contract>),
        params,
        {},
      );
      try {
        const [first] = await take(processConnector.rx(endpoint)[Symbol.asyncIterator](), 1);
        assert.equal(first?.correlation, expected, `io ${io}, params ${JSON.stringify(params)}`);
      } finally {
        await processConnector.close(endpoint, { detach: false });
      }
    }
  });

  it("a target that exits non-zero shows in its health's errors; one stopped by close does not", async () => {
    // Exits 3 on its first line of input.
    const program = [process.execPath, "-e", "process.stdin.once('data', () => process.exit(3))"];
    const endpoint = await processConnector.open(
      contract({ "x-run": program } as Partial<Contract>),
      { respawn: "never" },
      {},
    );
    try {
      const healthy = await processConnector.health(endpoint);
      assert.equal(healthy.errors, 0);
      const exited = new Promise((resolve) => endpoint.once("exit", resolve));
      await processConnector.tx(endpoint, Buffer.from("x"), { correlation: 0 });
      await exited;
      const h = await processConnector.health(endpoint);
      assert.deepEqual([h.ok, h.err, h.errors], [false, "exited with code 3", 1]);
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
    assert.equal((await processConnector.health(endpoint)).errors, 1);
  });

  it("starts the program with x-env added to the driver's environment", async () => {
    const show =
      "console.log(process.env.GREETING, typeof process.env.PATH); process.stdin.resume()";
    const endpoint = await processConnector.open(
      contract({
        "x-run": [process.execPath, "-e", show],
        "x-env": { GREETING: "hello there" },
      } as Partial<Contract>),
      {},
      {},
    );
    try {
      const [line] = await take(processConnector.rx(endpoint)[Symbol.asyncIterator](), 1);
      assert.equal(line?.text, "hello there string");
    } finally {
      await processConnector.close(endpoint, { detach: false });
    }
  });

  it("refuses an x-env that could not be an environment, naming what is wrong", async () => {
    for (const [env, wrong] of [
      [["A=1"], /x-env is not an object/],
      [{ "A=B": "1" }, /x-env name "A=B" is not a variable name/],
      [{ A: 1 }, /x-env A is not a string/],
      [{ A: "a\0b" }, /x-env A is not a string without NUL/],
    ] as const) {
      const symbol = contract({ "x-run": ["true"], "x-env": env } as Partial<Contract>);
      await assert.rejects(async () => processConnector.open(symbol, {}, {}), wrong);
    }
  });

  describe("probe", () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), "rtt-probe-"));
      const manifest = (name: string, symbol: Record<string, unknown>) => {
        mkdirSync(join(root, name));
        writeFileSync(
          join(root, name, "rtt.manifest.json"),
          JSON.stringify({ $schema: "https://rtt/spec/v1", symbol }),
        );
      };
      manifest("events", {
        saddr: "rtt://core/bus/events@1.0.0",
        type: "bus",
        direction: "provider",
        "x-run": ["python3", "emit.py"],
      });
      manifest("logger", {
        saddr: "rtt://obs/extension/logger@1.0.0#ndjson",
        type: "extension",
        direction: "consumer",
        "x-run": ["node", "logger.mjs"],
      });
      manifest("metrics", {
        saddr: "rtt://core/api/metrics@1.0.0#prom",
        type: "api",
        direction: "provider",
        "x-run": ["node", "server.mjs"],
      });
      manifest("quiet", { saddr: "rtt://core/proc/quiet@1.0.0", type: "proc", direction: "both" });
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    it("takes any symbol with an x-run except apis, with its folder as x-cwd", () => {
      const found = processConnector.probe(root) as (Contract & { "x-cwd"?: string })[];
      assert.deepEqual(
        found.map((c) => [c.saddr, c["x-cwd"]]),
        [
          ["rtt://core/bus/events@1.0.0", join(root, "events")],
          ["rtt://obs/extension/logger@1.0.0#ndjson", join(root, "logger")],
        ],
      );
    });
  });
});
