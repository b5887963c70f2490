/**
 * `rtt token mint` (ADR 0018): a capability token signed by the panel's key, scoped to actions,
 * route globs and/or address patterns, for a while. Only who can read `.rtt/keys/panel.key`
 * (the workspace owner) can mint; the token is what others pass as RTT_TOKEN.
 */
import { isTokenAction, RttError, TOKEN_ACTIONS, type TokenAction } from "@rtt/core";
import { currentWho, mintToken, panelKey, parseTtl } from "@rtt/panel";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

export interface MintOptions {
  readonly action: readonly string[];
  readonly route: readonly string[];
  readonly saddr: readonly string[];
  readonly ttl: string;
  readonly sub?: string;
  readonly json?: boolean;
}

/** `--action qc,trip --action heal` → [qc, trip, heal]. */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(",")).map((v) => v.trim());
}

function actionsOf(values: readonly string[]): TokenAction[] {
  const actions = splitList(values);
  if (actions.length === 0)
    throw new RttError("RTT_ERR_USAGE", "token mint: --action is required", {
      hint: `one or more of ${TOKEN_ACTIONS.join(", ")}, e.g. --action qc,trip`,
    });
  for (const a of actions)
    if (!isTokenAction(a))
      throw new RttError("RTT_ERR_USAGE", `--action ${JSON.stringify(a)}: not an action`, {
        hint: `actions are ${TOKEN_ACTIONS.join(", ")}`,
      });
  return [...new Set(actions as TokenAction[])];
}

export function tokenMintCommand(ctx: CommandContext, opts: MintOptions): number {
  const paths = workspaceOf(ctx);
  const actions = actionsOf(opts.action);
  const routes = [...new Set(splitList(opts.route))];
  const saddrs = [...new Set(opts.saddr)];
  if (routes.length === 0 && saddrs.length === 0)
    throw new RttError("RTT_ERR_USAGE", "token mint: give --route and/or --saddr", {
      hint: "a token covers the routes (globs, `*` for all) and addresses (SADDR patterns) it names, and nothing else",
    });
  const ttlMs = parseTtl(opts.ttl);
  const { token, claims } = mintToken(
    panelKey(paths.rttDir),
    { actions, routes, saddrs },
    { ttlMs, sub: opts.sub ?? currentWho() },
  );
  if (opts.json)
    writeJson(ctx, {
      token,
      jti: claims.jti,
      sub: claims.sub,
      iat: new Date(claims.iat).toISOString(),
      exp: new Date(claims.exp).toISOString(),
      actions: claims.actions,
      routes: claims.routes,
      saddrs: claims.saddrs,
    });
  else ctx.term.out.write(`${token}\n`);
  return 0;
}
