import { resolve } from "node:path";
import { initWorkspace } from "@rtt/panel";
import { paint } from "../output.ts";
import { type CommandContext, writeJson } from "./context.ts";

export function initCommand(
  ctx: CommandContext,
  dir: string | undefined,
  opts: { json?: boolean },
): number {
  const report = initWorkspace(resolve(ctx.cwd, dir ?? "."));
  if (opts.json) {
    writeJson(ctx, report);
    return 0;
  }
  const { term } = ctx;
  for (const p of report.created) term.out.write(`${paint(term.out, "green", "created")}  ${p}\n`);
  for (const p of report.kept) term.out.write(`${paint(term.out, "dim", "kept   ")}  ${p}\n`);
  term.out.write(
    report.created.length === 0
      ? `${report.root}: already initialised; nothing changed\n`
      : `${report.root}: initialised. Next: rtt scan && rtt ls symbols\n`,
  );
  return 0;
}
