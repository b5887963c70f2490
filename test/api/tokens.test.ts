/**
 * Capability tokens on a real panel (ADR 0018): the quickstart with `security.require_tokens`
 * on. A qc through the raw client without a token is PERMISSION_DENIED (RTT_ERR_TOKEN), with a
 * token for another route or an expired one refused too, and with a covering one it swaps; the
 * owner's CLI, which can read the panel key, mints its own token and is let through.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { RttError, type TokenScope } from "@rtt/core";
import { mintToken, PanelConnection, panelKey } from "@rtt/panel";
import { EVENTS_ROUTE, LOGGER2_REF } from "../support/quickstart.ts";
import { runRtt } from "../support/run-rtt.ts";
import { type QuickstartPanel, startQuickstartPanel } from "./quickstart-panel.ts";

let panel: QuickstartPanel;

before(async () => {
  panel = await startQuickstartPanel();
  const config = join(panel.root, ".rtt", "panel.yaml");
  const yaml = readFileSync(config, "utf8");
  assert.match(yaml, /strict_manifests: false\n/);
  writeFileSync(config, yaml.replace(/strict_manifests: false\n/, "$&  require_tokens: true\n"));
  // The owner's CLI stops the old panel (its own token) and starts one that reads the new setting.
  for (const args of [
    ["panel", "stop"],
    ["panel", "start"],
  ]) {
    const r = await panel.rtt(args);
    assert.equal(r.code, 0, `rtt ${args.join(" ")}: ${r.stderr}`);
  }
});

after(async () => {
  await panel?.stop();
});

const key = () => panelKey(join(panel.root, ".rtt"));

/** A connection that sends `token` with every mutating call (none: no header). */
function connection(token?: string): PanelConnection {
  return new PanelConnection(panel.listen, async () => token);
}

function tokenFor(scope: Partial<TokenScope>, ttlMs = 60_000, now = Date.now()): string {
  const full = { actions: ["qc" as const], routes: [], saddrs: [], ...scope };
  return mintToken(key(), full, { ttlMs, sub: "test", now }).token;
}

async function deniedWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RttError, String(e));
    assert.equal(e.code, "RTT_ERR_TOKEN", e.message);
    assert.equal((e.cause as grpc.ServiceError).code, grpc.status.PERMISSION_DENIED);
    assert.match(e.message, message);
    return true;
  });
}

describe("capability tokens with require_tokens", () => {
  it("refuses a qc without a token, with one for another route, expired, or for another action", async () => {
    const cases: [string | undefined, RegExp][] = [
      [undefined, /qc needs a capability token .* carries none/],
      [tokenFor({ routes: ["ui-refresh"] }), /route events-to-log is not covered .*ui-refresh/],
      [tokenFor({ routes: [EVENTS_ROUTE] }, 1000, Date.now() - 3_600_000), /expired at/],
      [
        tokenFor({ actions: ["trip"], routes: ["*"] }),
        /action qc is not among the token's actions \(trip\)/,
      ],
      [
        tokenFor({ routes: [EVENTS_ROUTE], saddrs: ["rtt://obs/*/logger"] }),
        /events@1.0.0 \(route events-to-log\) matches none of the token's addresses/,
      ],
      ["v4.public.not-a-token", /not base64url|truncated/],
    ];
    for (const [token, message] of cases) {
      const conn = connection(token);
      try {
        await deniedWith(conn.quickConnect(EVENTS_ROUTE, LOGGER2_REF, "test"), message);
      } finally {
        conn.close();
      }
    }
    const conn = connection();
    try {
      const status = await conn.status();
      assert.equal(status.routes, 2, "reads need no token, and nothing was swapped");
      assert.match(status.topology_json, /"saddr":"rtt:\/\/obs\/extension\/logger@/);
      assert.doesNotMatch(status.topology_json, /logger2/);
    } finally {
      conn.close();
    }
  });

  it("lets a covering token swap the route", async () => {
    const conn = connection(tokenFor({ routes: ["events-*"] }));
    try {
      const r = await conn.quickConnect(EVENTS_ROUTE, LOGGER2_REF, "test");
      assert.equal(r.route, EVENTS_ROUTE);
      assert.match(r.new_to, /logger2/);
    } finally {
      conn.close();
    }
  });

  it("lets the owner's CLI through with a token it mints itself", async () => {
    const trip = await panel.rtt(["trip", `route/${EVENTS_ROUTE}`, "--json"]);
    assert.equal(trip.code, 0, trip.stderr);
    assert.match(
      readFileSync(join(panel.root, ".rtt", "panel.log"), "utf8"),
      /token [0-9a-f]{32} \(.*\(owner CLI\)\) allowed trip/,
    );
  });

  it("takes RTT_TOKEN before minting its own, and is refused when it covers another route", async () => {
    const env = { RTT_TOKEN: tokenFor({ actions: ["trip"], routes: ["ui-refresh"] }) };
    const trip = await runRtt(["trip", `route/${EVENTS_ROUTE}`], { cwd: panel.root, env });
    assert.equal(trip.code, 1, trip.stderr);
    assert.match(trip.stderr, /RTT_ERR_TOKEN/);
  });
});
