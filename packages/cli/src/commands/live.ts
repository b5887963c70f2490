/**
 * Live operations on wired routes (ADR 0013): `rtt qc A -> B` (hot swap), `rtt trip route/<id>`
 * and `rtt heal route/<id>` (a route's breaker by hand), `rtt tap [route/<id>]` (live health).
 * Each talks to the workspace's panel, started in the background when none runs.
 */
import { nearArrow, RttError } from "@rtt/core";
import { currentWho } from "@rtt/panel";
import { paint } from "../output.ts";
import { routeLabels, TapLines, TapState } from "../tap/rows.ts";
import type { TapViewHandle } from "../tap/tap-view.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { wholeNumber } from "./flags.ts";
import { ensurePanel, requireRunningPanel } from "./panel.ts";

/** `A -> B`, whether the shell gave it as one word, three, or two (`A B`). */
export function parseSwap(words: readonly string[]): { from: string; to: string } {
  const option = words.find((w) => /^-(?!>)/.test(w));
  if (option !== undefined)
    throw new RttError("RTT_ERR_USAGE", `qc: unknown option ${option}`, {
      hint: "rtt qc 'A -> B' [--json]",
    });
  const text = words.join(" ");
  const near = text.includes("->") ? undefined : nearArrow(text);
  if (near !== undefined)
    throw new RttError(
      "RTT_ERR_USAGE",
      `qc ${text}: found ${near.found} at column ${near.column}; expected "->"`,
      { hint: "rtt qc 'events-to-log -> rtt://obs/extension/logger2'" },
    );
  const parts = text.includes("->") ? text.split("->") : text.trim().split(/\s+/);
  const [from, to, ...rest] = parts.map((p) => p.trim());
  if (from === undefined || from === "" || to === undefined || to === "" || rest.length > 0)
    throw new RttError("RTT_ERR_USAGE", `qc ${text}: expected A -> B`, {
      hint: "quote the arrow for the shell: rtt qc 'events-to-log -> rtt://obs/extension/logger2'",
    });
  return { from, to };
}

export async function qcCommand(
  ctx: CommandContext,
  words: readonly string[],
  opts: { json?: boolean },
): Promise<number> {
  const { from, to } = parseSwap(words);
  const conn = await ensurePanel(ctx, workspaceOf(ctx));
  try {
    const r = await conn.quickConnect(from, to, currentWho());
    if (opts.json) writeJson(ctx, r);
    else if (!r.changed)
      ctx.term.out.write(`route ${r.route} already goes to ${r.new_to}; nothing to do\n`);
    else
      ctx.term.out.write(
        `${paint(ctx.term.out, "green", "✓")} route ${r.route}: ${r.old_to} → ${r.new_to} (WAL seq ${r.committed_seq}; ${r.warm ? "a warm spare; " : ""}the old target took ${r.old_frames} frames before EOS)\n`,
      );
    return 0;
  } finally {
    conn.close();
  }
}

export async function breakerCommand(
  ctx: CommandContext,
  kind: "trip" | "heal",
  route: string,
  opts: { why?: string; json?: boolean },
): Promise<number> {
  const conn = await requireRunningPanel(workspaceOf(ctx), kind);
  try {
    const r = await conn.breaker(kind, route, currentWho(), opts.why ?? "");
    if (opts.json) writeJson(ctx, r);
    else ctx.term.out.write(`route ${r.route}: breaker ${r.state} (${r.reason})\n`);
    return 0;
  } finally {
    conn.close();
  }
}

/** The longest `rtt tap --interval`: an hour (a timer past 2^31 ms fires at once). */
const MAX_INTERVAL_MS = 3_600_000;

export async function tapCommand(
  ctx: CommandContext,
  route: string | undefined,
  opts: { json?: boolean; interval?: string; count?: string },
): Promise<number> {
  const intervalMs =
    opts.interval === undefined ? 0 : wholeNumber("--interval", opts.interval, 0, MAX_INTERVAL_MS);
  const count =
    opts.count === undefined
      ? Number.POSITIVE_INFINITY
      : wholeNumber("--count", opts.count, 1, Number.MAX_SAFE_INTEGER);
  const id = route?.startsWith("route/") ? route.slice("route/".length) : route;
  const conn = await requireRunningPanel(workspaceOf(ctx), "tap");
  const edges = Object.values((await conn.wired()).topology.edges);
  const wired = edges.map((e) => e.route);
  if (id !== undefined) {
    if (!wired.includes(id)) {
      conn.close();
      throw new RttError("RTT_ERR_PLAN_INVALID", `route ${id} is not wired`, {
        hint:
          wired.length === 0
            ? "nothing is wired: `rtt apply` wires routes.json"
            : `wired: ${wired.map((r) => `route/${r}`).join(", ")}`,
      });
    }
  }
  const stream = conn.health({ ...(id === undefined ? {} : { route: id }), intervalMs });
  const stop = () => stream.cancel();
  process.once("SIGINT", stop);
  const state = new TapState();
  const lines = new TapLines(
    routeLabels(
      edges.map((e) => ({ route: e.route, from: e.from.saddr, oneway: e.pattern === "oneway" })),
    ),
  );
  let view: TapViewHandle | undefined;
  let seen = 0;
  try {
    // On a terminal, the live Ink view; React is loaded only here.
    if (ctx.term.out.isTTY && !opts.json) {
      const [{ startTapView }, status] = await Promise.all([
        import("../tap/tap-view.ts"),
        conn.status(),
      ]);
      view = startTapView({ pid: status.pid, color: ctx.term.out.color, onQuit: stop });
    }
    for await (const s of stream) {
      seen++;
      if (opts.json) ctx.term.out.write(`${JSON.stringify(s)}\n`);
      else {
        state.add(s);
        if (view !== undefined) view.update(state.rows(), Date.now());
        else {
          // This sample's route's line of the table (aligned with the other routes' lines).
          const row = state.rows().find((r) => r.sample.route === s.route);
          if (seen === 1) ctx.term.out.write(`${lines.header()}\n`);
          if (row !== undefined) ctx.term.out.write(`${lines.line(row)}\n`);
        }
      }
      if (seen >= count) break;
    }
  } finally {
    process.off("SIGINT", stop);
    stream.cancel();
    await view?.stop();
    conn.close();
  }
  return 0;
}
