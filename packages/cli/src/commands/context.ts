import { resolve } from "node:path";
import { type Diagnostic, formatDiagnostic } from "@rtt/core/errors.ts";
import { findWorkspace, type WorkspacePaths } from "@rtt/panel/workspace/workspace-paths.ts";
import { paint, type Terminal } from "../output.ts";

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

/** How a command words its invalid inputs (each command keeps its own output). */
export interface DiagnosticsReport {
  /** Each diagnostic painted red on stderr (else plain). */
  readonly red?: boolean;
  /** The JSON error's message, from the diagnostics (none: the error has only a code). */
  readonly message?: (diagnostics: readonly Diagnostic[]) => string;
}

/**
 * Reports inputs that did not load: with `json`, one object with the first diagnostic's code
 * (RTT_ERR_DOC_SCHEMA when none has one) and every diagnostic; else each on stderr.
 */
export function reportDiagnostics(
  ctx: CommandContext,
  diagnostics: readonly Diagnostic[],
  json: boolean | undefined,
  how: DiagnosticsReport = {},
): void {
  if (json) {
    const code = diagnostics[0]?.code ?? "RTT_ERR_DOC_SCHEMA";
    const error =
      how.message === undefined ? { code } : { code, message: how.message(diagnostics) };
    writeJson(ctx, { error, diagnostics });
  } else {
    for (const d of diagnostics) {
      const line = formatDiagnostic(d);
      ctx.term.err.write(`${how.red ? paint(ctx.term.err, "red", line) : line}\n`);
    }
  }
}
