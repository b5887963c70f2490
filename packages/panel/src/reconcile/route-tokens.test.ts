// Route tokens through the reconciler (ADR 0018): a target whose contract has auth mode token
// is wired when the panel hands its source the route's token; with another route's token, or
// none, its batch rolls back naming why; a target with auth mode none ignores the token.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { after, describe, test } from "node:test";
import type { CatalogSymbol } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { panelKey } from "../trust/keys.ts";
import { type RouteTokenSource, RouteTokens } from "../trust/route-tokens.ts";
import { received } from "./memory-drivers.ts";
import { catalog, meta, ROUTES, setUp, symbol } from "./reconciler-fixtures.ts";

const D1 = "rtt://t/extension/d1@1.0.0";
const R1 = ROUTES.filter((r) => r.id === "r1");
const keyDir = mkdtempSync(`${tmpdir()}/rtt-route-tokens-`);
after(() => rmSync(keyDir, { recursive: true, force: true }));
const tokens = new RouteTokens(panelKey(keyDir), 5000);
/** The real panel's grant, but the token of route r2 in r1's SYN. */
const otherRoutes: RouteTokenSource = {
  grant: (route) => tokens.grant(route),
  mint: (_route, ends) => tokens.mint("r2", ends),
};

/** The catalog with d1 declaring auth `mode`. */
function withD1Auth(mode: "none" | "token" | "caps"): CatalogSymbol[] {
  return catalog.map((s) =>
    s.saddr === D1
      ? symbol(D1, { direction: "consumer", io: "stream", "x-driver": "mb", auth: { mode } })
      : s,
  );
}

async function applyR1(routeTokens: RouteTokenSource | undefined, symbols: CatalogSymbol[]) {
  const t = setUp(routeTokens === undefined ? {} : { routeTokens });
  try {
    const result = await t.reconciler.apply(t.planFor(R1, { symbols }), symbols, meta);
    const wired = t.reconciler.graph.edges.r1 !== undefined;
    if (wired) await eventually(() => received(D1).length > 0, { what: "d1 receives" });
    return { result, wired, committed: t.wal.committed?.seq ?? 0 };
  } finally {
    await t.tearDown();
  }
}

describe("route tokens in the reconciler", () => {
  for (const mode of ["token", "caps"] as const) {
    test(`auth mode ${mode}: the panel's route token wires the route`, async () => {
      const { result, wired } = await applyR1(tokens, withD1Auth(mode));
      assert.deepEqual(
        result.batches.map((b) => b.outcome),
        ["committed"],
      );
      assert.ok(wired);
    });
  }

  test("another route's token: the batch rolls back, unauthorized, nothing committed", async () => {
    const { result, wired, committed } = await applyR1(otherRoutes, withD1Auth("token"));
    const [batch] = result.batches;
    assert.equal(batch?.outcome, "rolled-back");
    assert.equal(batch?.error?.code, "RTT_ERR_QC_REFUSED");
    assert.match(
      batch?.error?.message ?? "",
      /unauthorized: route token refused: route r1 is not covered by the token's routes \(r2\)/,
    );
    assert.equal(wired, false);
    assert.equal(committed, 0);
  });

  test("no route tokens at all: a target that needs one refuses the Offer", async () => {
    const { result, wired } = await applyR1(undefined, withD1Auth("token"));
    const [batch] = result.batches;
    assert.equal(batch?.outcome, "rolled-back");
    assert.equal(batch?.error?.code, "RTT_ERR_TOKEN");
    assert.equal(wired, false);
  });

  test("rtt qc onto a target with auth mode token: the move's handshake carries the route token", async () => {
    const d2 = symbol("rtt://t/extension/d2@1.0.0", {
      direction: "consumer",
      io: "stream",
      "x-driver": "mb",
      auth: { mode: "token" },
    });
    for (const [source, moved] of [
      [tokens, true],
      [otherRoutes, false],
    ] as const) {
      const t = setUp({ routeTokens: source });
      try {
        await t.wire(R1, catalog);
        const move = t.reconciler.quickConnect("r1", d2, "mb", meta);
        if (moved) {
          assert.equal((await move).changed, true);
          assert.equal(t.reconciler.graph.edges.r1?.to.saddr, d2.saddr);
        } else {
          await assert.rejects(move, { code: "RTT_ERR_QC_REFUSED", message: /unauthorized/ });
          assert.equal(t.reconciler.graph.edges.r1?.to.saddr, D1, "the route stays where it was");
        }
        await t.reconciler.retired();
      } finally {
        await t.tearDown();
      }
    }
  });

  test("auth mode none: a token is ignored, even another route's", async () => {
    for (const source of [otherRoutes, tokens, undefined]) {
      const { wired } = await applyR1(source, withD1Auth("none"));
      assert.ok(wired);
    }
  });
});
