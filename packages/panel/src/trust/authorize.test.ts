import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import { bearerToken, EVERY_ROUTE_TARGET, TokenGate } from "./authorize.ts";
import { keyIdOf, type SigningKey } from "./keys.ts";
import { mintToken } from "./tokens.ts";

const pair = generateKeyPairSync("ed25519");
const key: SigningKey = { name: "panel", keyId: keyIdOf(pair.publicKey), ...pair };

function withToken(token?: string, scheme = "Bearer"): Metadata {
  const md = new Metadata();
  if (token !== undefined) md.set("authorization", `${scheme} ${token}`);
  return md;
}

const trip = (routes: string[]) =>
  mintToken(key, { actions: ["trip"], routes, saddrs: [] }, { ttlMs: 60_000, sub: "t" }).token;
const target = { route: "r1", saddrs: [] };

describe("the token gate", () => {
  test("without require_tokens a call without a token passes, a sent token is still checked", () => {
    const gate = new TokenGate({ requireTokens: false, publicKey: key.publicKey });
    assert.deepEqual(gate.authorize(withToken(), "trip", [target]), {});
    assert.throws(
      () => gate.authorize(withToken(trip(["r2"])), "trip", [target]),
      /route r1 is not covered/,
    );
    const ok = gate.authorize(withToken(trip(["r1"])), "trip", [target]);
    assert.match(ok.tokenId ?? "", /^[0-9a-f]{32}$/);
  });

  test("with require_tokens a call without a token is refused, with RTT_ERR_TOKEN", () => {
    const lines: string[] = [];
    const gate = new TokenGate({
      requireTokens: true,
      publicKey: key.publicKey,
      log: (l) => lines.push(l),
    });
    assert.throws(
      () => gate.authorize(withToken(), "trip", [target]),
      (e: Error & { code?: string }) =>
        e.code === "RTT_ERR_TOKEN" && /carries none/.test(e.message),
    );
    assert.match(lines.join("\n"), /refused trip/);
  });

  test("a panel-wide call needs `*`; an empty apply needs only the action", () => {
    const gate = new TokenGate({ requireTokens: true, publicKey: key.publicKey });
    const shutdown = (routes: string[]) =>
      mintToken(
        key,
        { actions: ["shutdown", "apply"], routes, saddrs: [] },
        { ttlMs: 60_000, sub: "t" },
      ).token;
    assert.throws(
      () => gate.authorize(withToken(shutdown(["r1"])), "shutdown", [EVERY_ROUTE_TARGET]),
      /every route/,
    );
    assert.ok(gate.authorize(withToken(shutdown(["*"])), "shutdown", [EVERY_ROUTE_TARGET]).tokenId);
    assert.ok(gate.authorize(withToken(shutdown(["r1"])), "apply", []).tokenId);
    assert.throws(() => gate.authorize(withToken(trip(["*"])), "apply", []), /action apply/);
  });

  test("the header must be one `Bearer <token>`", () => {
    assert.equal(bearerToken(withToken()), undefined);
    assert.equal(bearerToken(withToken("abc", "bearer")), "abc");
    assert.throws(() => bearerToken(withToken("abc", "Basic")), /not `Bearer <token>`/);
    const two = withToken("a");
    two.add("authorization", "Bearer b");
    assert.throws(() => bearerToken(two), /more than one/);
  });
});
