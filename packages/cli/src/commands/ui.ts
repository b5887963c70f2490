/**
 * `rtt ui [--listen ADDRESS]`: serves the live picture of this workspace's topology on loopback
 * (or a Unix socket) until interrupted. No panel needed to start: the page shows routes.json
 * until one runs, and follows it from then on.
 */

import { untilInterrupted } from "../interrupted.ts";
import { UiFeed } from "../ui/feed.ts";
import { DEFAULT_UI_LISTEN, parseUiListen } from "../ui/listen.ts";
import { startUiServer } from "../ui/server.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";

export async function uiCommand(
  ctx: CommandContext,
  opts: { listen?: string; json?: boolean },
): Promise<number> {
  const listen = parseUiListen(opts.listen ?? DEFAULT_UI_LISTEN, ctx.cwd);
  const feed = new UiFeed(workspaceOf(ctx));
  await feed.start();
  let server: Awaited<ReturnType<typeof startUiServer>>;
  try {
    server = await startUiServer(feed, listen);
  } catch (error) {
    await feed.stop();
    throw error;
  }
  if (opts.json) writeJson(ctx, { url: server.url, listen: server.address });
  else
    ctx.term.out.write(
      `rtt ui: open ${server.url}\n  (serving on ${server.address}; the address after # is this run's secret; Ctrl-C stops)\n`,
    );
  await untilInterrupted();
  await server.close();
  await feed.stop();
  return 0;
}
