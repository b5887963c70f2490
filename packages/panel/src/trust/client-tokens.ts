/**
 * The token a client sends with a call (ADR 0018): `RTT_TOKEN` when set; else, for the workspace
 * owner — whoever can read the panel's private key — a token minted for that one call, for its
 * one action, living a minute. Anyone else sends none, and a panel with require_tokens refuses.
 */
import { RttError } from "@rtt/core/errors.ts";
import type { TokenAction } from "@rtt/core/tokens/token-scope.ts";

export const TOKEN_ENV = "RTT_TOKEN";
/** Long enough for the call to reach the panel, short enough to be useless when it leaks. */
export const OWNER_TOKEN_TTL_MS = 60_000;

/**
 * The token for a call doing `action`, or none. A promise: minting loads the key and the token
 * code, which a command that only reads (`rtt panel status`) never needs.
 */
export type TokenSource = (action: TokenAction) => Promise<string | undefined>;

/** The CLI's tokens in the workspace whose `.rtt/` is `rttDir`. */
export function cliTokenSource(rttDir: string, env: NodeJS.ProcessEnv = process.env): TokenSource {
  return async (action) => {
    const given = env[TOKEN_ENV];
    if (given !== undefined && given !== "") return given.trim();
    const [{ loadSigningKey, PANEL_KEY_NAME }, { mintToken }, { currentWho }] = await Promise.all([
      import("./keys.ts"),
      import("./tokens.ts"),
      import("../audit/record.ts"),
    ]);
    let key: ReturnType<typeof loadSigningKey>;
    try {
      key = loadSigningKey(rttDir, PANEL_KEY_NAME);
    } catch (error) {
      // Not the owner (or no panel has made its key yet): the call goes without a token.
      if (error instanceof RttError) return undefined;
      throw error;
    }
    const scope = { actions: [action], routes: ["*"], saddrs: [] };
    return mintToken(key, scope, { ttlMs: OWNER_TOKEN_TTL_MS, sub: `${currentWho()} (owner CLI)` })
      .token;
  };
}
