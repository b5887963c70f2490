import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { ProcessEndpoint } from "./process-endpoint.ts";
import type { StdoutMessage } from "./stdout-reader.ts";

// A real child that echoes stdin to stdout as it comes: `cat`, through Node for portability.
const CAT = ["-e", "process.stdin.pipe(process.stdout)"];

async function take(it: AsyncIterator<StdoutMessage>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(Buffer.from(r.value.payload).toString());
  }
  return out;
}

describe("process endpoint: several messages at once (txMany)", () => {
  it("small and large messages reach the program whole, in order, each counted", async () => {
    const p = new ProcessEndpoint({ command: process.execPath, args: CAT, framing: "lines" });
    p.start();
    const it = p.messages()[Symbol.asyncIterator]();
    // Many small ones (several PIPE_BUF writes), one longer than PIPE_BUF, more small ones.
    const big = "x".repeat(70_000);
    const sent = [
      ...Array.from({ length: 300 }, (_, i) => `m${i}-${"y".repeat(i % 50)}`),
      big,
      ...Array.from({ length: 50 }, (_, i) => `n${i}`),
    ];
    const result = await p.txMany(sent.map((s) => Buffer.from(s)));
    assert.deepEqual(result, { taken: sent.length });
    assert.deepEqual(await take(it, sent.length), sent);
    const report = await p.close();
    assert.equal(report?.frames, sent.length, "every message counted as taken");
  });

  it("a program gone for good: what its pipe took is counted, the rest refused with why", async () => {
    // Reads one line, then exits: the writes after it find no reader.
    const p = new ProcessEndpoint({
      command: process.execPath,
      args: ["-e", "process.stdin.once('data', () => process.exit(0))"],
      framing: "lines",
      respawn: "never",
    });
    p.start();
    assert.deepEqual(await p.txMany([Buffer.from("first")]), { taken: 1 });
    // Once it has exited, nothing more is taken and the error says so.
    await eventually(() => p.health().pid === undefined, { what: "the program to have exited" });
    const result = await p.txMany([Buffer.from("a"), Buffer.from("b")]);
    assert.equal(result.taken, 0);
    assert.match(String(result.error), /not running|stdin/);
    await p.close();
  });
});
