import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventually } from "./eventually.ts";

describe("eventually", () => {
  it("returns what the check gave once it is neither false nor undefined", async () => {
    let calls = 0;
    const probe = () => (++calls < 3 ? undefined : calls);
    assert.equal(await eventually(probe, { what: "the third call", intervalMs: 1 }), 3);
    let ready = false;
    setTimeout(() => {
      ready = true;
    }, 20);
    assert.equal(await eventually(() => ready, { what: "the flag", intervalMs: 1 }), true);
    assert.equal(await eventually(async () => 0, { what: "a zero" }), 0, "0 is a value");
  });

  it("fails after timeoutMs, naming what it waited for and the detail", async () => {
    const started = Date.now();
    await assert.rejects(
      eventually(() => false, {
        what: "a thing that never happens",
        timeoutMs: 50,
        intervalMs: 5,
        detail: () => "what happened instead",
      }),
      (error: Error) => {
        assert.ok(error instanceof assert.AssertionError);
        assert.equal(
          error.message,
          "timed out after 50 ms waiting for a thing that never happens\nwhat happened instead",
        );
        return true;
      },
    );
    assert.ok(Date.now() - started >= 50, "not before the timeout");
  });

  it("fails at once when the check throws", async () => {
    let calls = 0;
    const boom = new Error("boom");
    await assert.rejects(
      eventually(
        () => {
          calls++;
          throw boom;
        },
        { what: "anything", timeoutMs: 60_000 },
      ),
      boom,
    );
    assert.equal(calls, 1);
  });
});
