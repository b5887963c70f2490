import { resolve } from "node:path";
import { findWorkspace, type WorkspacePaths } from "@rtt/panel";
import type { Terminal } from "../output.ts";

/** What every command gets: where it runs and where it writes. */
export interface CommandContext {
  /** The folder the command acts in (`-C` applied). */
  readonly cwd: string;
  readonly term: Terminal;
}

export function workspaceOf(ctx: CommandContext): WorkspacePaths {
  return findWorkspace(resolve(ctx.cwd));
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.term.out.write(`${JSON.stringify(value, null, 2)}\n`);
}
