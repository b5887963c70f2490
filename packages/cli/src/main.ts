/**
 * The `rtt` command line. Parses arguments, runs one command, and is the one place that turns
 * an error into words and an exit code: a user's mistake (RttError) gets its message and hint
 * and exit 1 (2 for usage); anything else is our bug and says how to report it.
 */
import { fromSystemError, RttError } from "@rtt/core/errors.ts";
import { hotCommand, runHot } from "./hot-commands.ts";
import { paint, type Terminal, terminal } from "./output.ts";

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[], term: Terminal = terminal()): Promise<number> {
  const json = argv.includes("--json");
  try {
    const hot = hotCommand(argv);
    if (hot !== undefined) return await runHot(hot, term);
    // Commander and every command's definition: loaded for all but the hot commands.
    const { runProgram } = await import("./run-program.ts");
    return await runProgram(argv, term);
  } catch (thrown) {
    const error = fromSystemError(thrown) ?? thrown;
    if (error instanceof RttError) {
      if (json) {
        term.out.write(
          `${JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint } }, null, 2)}\n`,
        );
      } else {
        const where =
          error.position?.file === undefined
            ? ""
            : `${error.position.file}:${error.position.line}:${error.position.column}: `;
        term.err.write(
          `${paint(term.err, "red", `rtt: ${where}${error.message}`)} (${error.code})\n`,
        );
        if (error.hint !== undefined) term.err.write(`  hint: ${error.hint}\n`);
      }
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    term.err.write(
      `rtt: internal error (RTT_ERR_INTERNAL): ${detail}\n  this is a bug in RTT; please report it with the command you ran\n`,
    );
    return 1;
  }
}
