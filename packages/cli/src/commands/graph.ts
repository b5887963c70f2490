/**
 * `rtt graph [--format dot|mermaid] [--json]`: the topology for docs — what the running panel
 * has wired, with each breaker, or (no panel) what routes.json would wire.
 */
import { loadGraph } from "../graph/model.ts";
import { type GraphFormat, renderGraph } from "../graph/render.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { runningPanel } from "./panel.ts";

export async function graphCommand(
  ctx: CommandContext,
  opts: { format: GraphFormat; json?: boolean },
): Promise<number> {
  const paths = workspaceOf(ctx);
  const conn = await runningPanel(paths);
  try {
    const graph = await loadGraph(paths, conn);
    if (opts.json) writeJson(ctx, graph);
    else ctx.term.out.write(renderGraph(graph, opts.format));
    return 0;
  } finally {
    conn?.close();
  }
}
