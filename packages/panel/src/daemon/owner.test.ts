import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { Metadata } from "@grpc/grpc-js";
import type { CallerIdentity } from "../audit/identity.ts";
import { TokenGate } from "../trust/authorize.ts";
import { keyIdOf, type SigningKey } from "../trust/keys.ts";
import { mintToken } from "../trust/tokens.ts";
import { authorizeShutdown } from "./owner.ts";

const pair = generateKeyPairSync("ed25519");
const key: SigningKey = { name: "panel", keyId: keyIdOf(pair.publicKey), ...pair };
const OWNER = 1000;
const peer = (uid: number): CallerIdentity => ({
  kind: "peer",
  uid,
  gid: uid,
  pid: 42,
  user: undefined,
});
const unknown: CallerIdentity = { kind: "unknown", note: "no SO_PEERCRED" };

function withToken(actions: ("shutdown" | "trip")[]): Metadata {
  const md = new Metadata();
  const { token } = mintToken(
    key,
    { actions, routes: ["*"], saddrs: [] },
    { ttlMs: 60_000, sub: "ops" },
  );
  md.set("authorization", `Bearer ${token}`);
  return md;
}

const gate = (requireTokens: boolean) => new TokenGate({ requireTokens, publicKey: key.publicKey });
const notOwner = { code: "RTT_ERR_NOT_OWNER" };

describe("who may stop the panel", () => {
  it("without require_tokens: its owner's uid only, whatever token another sends", () => {
    assert.equal(authorizeShutdown(peer(OWNER), new Metadata(), gate(false), OWNER), undefined);
    assert.throws(
      () => authorizeShutdown(peer(65534), new Metadata(), gate(false), OWNER),
      notOwner,
    );
    assert.throws(() => authorizeShutdown(peer(0), new Metadata(), gate(false), OWNER), {
      code: "RTT_ERR_NOT_OWNER",
      message: /only the panel's owner \(uid 1000\) may stop it; the caller is uid=0 pid=42$/,
    });
    assert.throws(() => authorizeShutdown(unknown, new Metadata(), gate(false), OWNER), notOwner);
    assert.throws(
      () => authorizeShutdown(peer(65534), withToken(["shutdown"]), gate(false), OWNER),
      notOwner,
    );
  });

  it("with require_tokens: a token carrying shutdown, for the owner and anyone it was given to", () => {
    assert.throws(() => authorizeShutdown(peer(OWNER), new Metadata(), gate(true), OWNER), {
      code: "RTT_ERR_TOKEN",
    });
    assert.throws(() => authorizeShutdown(peer(65534), withToken(["trip"]), gate(true), OWNER), {
      code: "RTT_ERR_TOKEN",
    });
    for (const caller of [peer(OWNER), peer(65534)])
      assert.match(
        authorizeShutdown(caller, withToken(["shutdown"]), gate(true), OWNER) ?? "",
        /^[0-9a-f]{32}$/,
      );
  });
});
