// The target's route token check on its own: real PASETO v4.public tokens signed with real
// Ed25519 keys (core's codec), a SYN as the parser hands it over, time as we pass it in.
import assert from "node:assert/strict";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, test } from "node:test";
import { type AuthMode, type Contract, keyIdOf, RttError, signV4Public } from "@rtt/core";
import type { Syn } from "../quickconnect/messages.ts";
import { routeAdmission } from "./route-admission.ts";

const SOURCE = "rtt://app/api/source@1.0.0";
const TARGET = "rtt://obs/extension/logger@1.0.0";
const ROUTE = "events-to-log";
const NOW = Date.parse("2026-12-06T12:00:00Z");

const panel = generateKeyPairSync("ed25519");
const intruder = generateKeyPairSync("ed25519");

interface Claims {
  readonly actions?: readonly string[];
  readonly routes?: readonly string[];
  readonly saddrs?: readonly string[];
  readonly iat?: number;
  readonly exp?: number;
}

/** A v4.public token as the panel mints one (trust/tokens.ts), with claims of our choosing. */
function token(claims: Claims = {}, key = panel.privateKey, kidOf: KeyObject = panel.publicKey) {
  const payload = {
    jti: "0".repeat(32),
    sub: `route ${ROUTE}`,
    iat: new Date(claims.iat ?? NOW).toISOString(),
    exp: new Date(claims.exp ?? NOW + 10_000).toISOString(),
    actions: claims.actions ?? ["qc"],
    routes: claims.routes ?? [ROUTE],
    saddrs: claims.saddrs ?? [SOURCE, TARGET],
  };
  const footer = Buffer.from(JSON.stringify({ kid: keyIdOf(kidOf) }));
  return signV4Public(key, Buffer.from(JSON.stringify(payload)), footer);
}

function contract(mode: AuthMode): Contract {
  return { saddr: TARGET, type: "extension", direction: "consumer", auth: { mode } };
}

const syn = (t?: string): Syn => ({
  nonce: "nonce-0001",
  saddr: SOURCE,
  contract_hash: "c".repeat(64),
  caps: [],
  require: [],
  lanes: ["uds"],
  max_frame: 1024,
  heartbeat_ms: 100,
  ...(t === undefined ? {} : { token: t }),
});

const grant = { routeId: ROUTE, panelKey: panel.publicKey };

describe("route admission (the target's SYN check)", () => {
  for (const mode of ["token", "caps"] as const) {
    test(`auth mode ${mode}: the panel's token for this route admits the SYN`, () => {
      const admit = routeAdmission(contract(mode), TARGET, grant, () => NOW);
      assert.ok(admit !== undefined);
      assert.equal(admit(syn(token())), undefined);
    });
  }

  const refusals: Array<[string, string | undefined, RegExp]> = [
    ["no token", undefined, /has auth mode token and the SYN carries no route token/],
    [
      "another route's token",
      token({ routes: ["other-route"] }),
      /route token refused: route events-to-log is not covered by the token's routes \(other-route\)/,
    ],
    [
      "an expired token",
      token({ iat: NOW - 60_000, exp: NOW - 30_000 }),
      /route token refused: the token 0{32} expired at/,
    ],
    [
      "a token signed by another key (forged, claiming the panel's kid)",
      token({}, intruder.privateKey),
      /route token refused: the token's signature does not verify/,
    ],
    [
      "a token of another panel",
      token({}, intruder.privateKey, intruder.publicKey),
      /route token refused: the token is signed by key [0-9a-f]{32}, not this panel's key/,
    ],
    [
      "a token for other ends of the route",
      token({ saddrs: ["rtt://evil/api/source@1.0.0", TARGET] }),
      /route token refused: rtt:\/\/app\/api\/source@1\.0\.0 \(route events-to-log\) matches none/,
    ],
    [
      "a token without the qc action",
      token({ actions: ["trip"] }),
      /route token refused: action qc is not among the token's actions \(trip\)/,
    ],
    ["a token that is not PASETO", "v4.public.AAAA", /route token refused: the token is truncated/],
  ];
  for (const [what, t, detail] of refusals) {
    test(`refuses ${what}`, () => {
      const admit = routeAdmission(contract("token"), TARGET, grant, () => NOW);
      assert.ok(admit !== undefined);
      assert.match(admit(syn(t)) ?? "(admitted)", detail);
    });
  }

  test("auth mode none (or mtls) checks nothing: no check, token or not", () => {
    assert.equal(routeAdmission(contract("none"), TARGET, grant), undefined);
    assert.equal(routeAdmission(contract("none"), TARGET, undefined), undefined);
    assert.equal(routeAdmission(contract("mtls"), TARGET, undefined), undefined);
    const noAuth: Contract = { saddr: TARGET, type: "extension", direction: "consumer" };
    assert.equal(routeAdmission(noAuth, TARGET, undefined), undefined);
  });

  test("a link that needs a token but was offered without the route and key is refused", () => {
    assert.throws(
      () => routeAdmission(contract("token"), TARGET, undefined),
      (error: unknown) =>
        error instanceof RttError &&
        error.code === "RTT_ERR_TOKEN" &&
        /has auth mode token: an Offer with handshake must name the route/.test(error.message),
    );
  });
});
