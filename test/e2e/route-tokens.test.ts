/**
 * Route tokens (issue 14, ADR 0018 "Route tokens") with real processes. The quickstart's logger
 * declares `auth: {mode: "token"}`: `rtt apply` wires events-to-log through it — the panel mints
 * the route's token, the events driver sends it in the SYN, the logger's driver checks it — and
 * the events reach the log. Then two echo driver processes, driven through the host's driver
 * client as the panel drives them, with the workspace's own panel key: a target offered for
 * events-to-log refuses a source presenting the token of ui-refresh, or none, and admits the
 * token of its route.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DriverHost, type DriverLaunch } from "@rtt/connector-sdk";
import { type Contract, contractHash, RttError } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import { panelKey, RouteTokens } from "@rtt/panel";
import { EVENTS_ROUTE, quickstartSuite, scanAndApply } from "../support/quickstart-workspace.ts";

const { use } = quickstartSuite(after);
const LOGGER = "services/logger/rtt.manifest.json";
const ECHO = "rtt://demo/api/echo@1.0.0";
const TOKEN_CONTRACT: Contract = {
  saddr: ECHO,
  type: "api",
  direction: "both",
  auth: { mode: "token" },
};

function echoDriver(name: string): DriverLaunch {
  const file = new URL(
    "../../packages/connector-sdk/test/fixtures/echo-driver.ts",
    import.meta.url,
  );
  return { name, command: process.execPath, args: [fileURLToPath(file)], env: {} };
}

const hostOptions = { log: () => {}, startTimeoutMs: 5000, heartbeatMs: 50, graceMs: 2000 };

describe("route tokens in the QuickConnect SYN", { timeout: 300_000 }, () => {
  it("a target with auth mode token is wired by apply: the panel's route token admits its source", async () => {
    const ws = use({ routes: [EVENTS_ROUTE] });
    ws.editManifest(LOGGER, (symbol) => {
      symbol.auth = { mode: "token" };
    });
    await scanAndApply(ws);
    await eventually(() => ws.count("logs/events.ndjson") > 0, ws.wait("events logged"));
    assert.ok((await ws.wiredRoute(EVENTS_ROUTE)) !== undefined, "events-to-log is wired");
    assert.doesNotMatch(ws.panelLog(), /handshake refused|unauthorized/);
  });

  it("a source holding another route's token, or none, is refused by the target", async () => {
    const ws = use({ routes: [EVENTS_ROUTE] });
    await scanAndApply(ws);
    // The workspace's panel key, as the panel that wired it holds it.
    const tokens = new RouteTokens(panelKey(ws.path(".rtt")), 5000);
    const [source, target] = await Promise.all([
      DriverHost.launch(echoDriver("source"), hostOptions),
      DriverHost.launch(echoDriver("target"), hostOptions),
    ]);
    try {
      const from = await source.open(ECHO, { contract: TOKEN_CONTRACT });
      const ask = (offered: Awaited<ReturnType<DriverHost["offerWithHandshake"]>>) => ({
        control: offered.control,
        data: offered.address,
        expectSaddr: ECHO,
        expectContractHash: contractHash(TOKEN_CONTRACT),
        timeoutMs: 3000,
      });
      const offerFor = async (route: string) => {
        const link = await target.open(ECHO, { contract: TOKEN_CONTRACT });
        return target.offerWithHandshake(link, "uds", { grant: tokens.grant(route) });
      };

      const refusals: Array<[string, string | undefined, RegExp]> = [
        [
          "wrong-route",
          tokens.mint("ui-refresh", { from: ECHO, to: ECHO }),
          /unauthorized: route token refused: route events-to-log is not covered by the token's routes \(ui-refresh\)/,
        ],
        ["no-token", undefined, /unauthorized: .* the SYN carries no route token/],
      ];
      for (const [nonce, routeToken, message] of refusals) {
        const offered = await offerFor(EVENTS_ROUTE);
        await assert.rejects(
          source.handshake(from, {
            ...ask(offered),
            nonce: `${nonce}-0001`,
            ...(routeToken === undefined ? {} : { routeToken }),
          }),
          (error: unknown) => {
            assert.ok(error instanceof RttError, String(error));
            assert.equal(error.code, "RTT_ERR_QC_REFUSED", error.message);
            assert.match(error.message, message);
            return true;
          },
        );
      }

      const offered = await offerFor(EVENTS_ROUTE);
      const agreed = await source.handshake(from, {
        ...ask(offered),
        nonce: "right-route-0001",
        routeToken: tokens.mint(EVENTS_ROUTE, { from: ECHO, to: ECHO }),
      });
      assert.equal(agreed.lane, "uds");

      // A target that needs a token but is not told the route and key admits nobody: its Offer fails.
      const bare = await target.open(ECHO, { contract: TOKEN_CONTRACT });
      await assert.rejects(target.offerWithHandshake(bare, "uds"), {
        code: "RTT_ERR_TOKEN",
        message: /has auth mode token: an Offer with handshake must name the route/,
      });
    } finally {
      await Promise.all([source.stop(), target.stop()]);
    }
  });
});
