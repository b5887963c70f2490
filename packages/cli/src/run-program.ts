/** The whole `rtt` program parsed by commander: every command but the hot ones (hot-commands.ts). */
import { CommanderError } from "commander";
import type { Terminal } from "./output.ts";
import { buildProgram } from "./program.ts";

/**
 * Terraform spells it `plan -out FILE`; commander's short options are one letter, so `-out`
 * and `-out=FILE` after `plan` become `--out` before parsing.
 */
function terraformSpellings(argv: readonly string[]): string[] {
  const plan = argv.indexOf("plan");
  return argv.map((a, i) =>
    plan < 0 || i <= plan ? a : a === "-out" ? "--out" : a.startsWith("-out=") ? `-${a}` : a,
  );
}

/** Parses `argv` and runs its command: its exit code, or 2 for a usage error commander printed. */
export async function runProgram(argv: readonly string[], term: Terminal): Promise<number> {
  let code = 0;
  const program = buildProgram(term, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(terraformSpellings(argv), { from: "user" });
    return code;
  } catch (error) {
    // Help and version are "errors" to commander; they already printed.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
