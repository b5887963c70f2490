/**
 * The `rtt` command line. Parses arguments, runs one command, and is the one place that turns
 * an error into words and an exit code: a user's mistake (RttError) gets its message and hint
 * and exit 1 (2 for usage); anything else is our bug and says how to report it.
 */
import { readFileSync } from "node:fs";
import { RttError, SYMBOL_TYPES } from "@rtt/core";
import { Command, CommanderError, Option } from "commander";
import type { CommandContext } from "./commands/context.ts";
import { paint, type Terminal, terminal } from "./output.ts";

const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as {
  version: string;
};

const EXAMPLES = `
Examples:
  rtt init                      lay out .rtt/ in this folder
  rtt scan                      index every manifest under the workspace
  rtt ls symbols 'rtt://core/*/*' --type api
  rtt ls routes --json          each route and what its ends resolve to
  rtt -C examples/quickstart scan`;

// Each command's module is imported when it runs, so `rtt --help` loads no scanner.
function buildProgram(term: Terminal, setExit: (code: number) => void): Command {
  const program = new Command("rtt")
    .description("RTT, the Relay Terminal Tool: a local patch panel for software interfaces.")
    .version(version, "-v, --version")
    .option("-C, --dir <folder>", "act as if started in <folder>")
    .addHelpText("after", EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => term.out.write(s),
      writeErr: (s) => term.err.write(s),
    });
  const ctx = (): CommandContext => ({
    cwd: program.opts<{ dir?: string }>().dir ?? process.cwd(),
    term,
  });

  program
    .command("init")
    .argument("[dir]", "folder to initialise (default: the current one)")
    .description(
      "create the .rtt/ layout with a commented panel.yaml, policy, routes and a sample manifest",
    )
    .option("--json", "print what was created and kept as JSON")
    .addHelpText("after", "\nExamples:\n  rtt init\n  rtt init services/api --json")
    .action(async (dir: string | undefined, opts: { json?: boolean }) => {
      const { initCommand } = await import("./commands/init.ts");
      setExit(initCommand(ctx(), dir, opts));
    });

  program
    .command("scan")
    .description("find manifests and .rtttags under the workspace and write the symbol catalog")
    .option("--json", "print the scan report as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt scan\n  rtt scan --json | jq .diagnostics\n  rtt -C examples/quickstart scan\n\nExit: 0 ok, 1 a manifest, sidecar or panel.yaml has an error (see file:line:col).",
    )
    .action(async (opts: { json?: boolean }) => {
      const { scanCommand } = await import("./commands/scan.ts");
      setExit(scanCommand(ctx(), opts));
    });

  const ls = program
    .command("ls")
    .description("list symbols or routes")
    .addHelpText("after", "\nExamples:\n  rtt ls symbols\n  rtt ls routes --json");
  ls.command("symbols")
    .argument("[pattern]", "an address, reference or pattern, e.g. 'rtt://core/*/*'")
    .description("list the catalog's symbols")
    .addOption(new Option("--type <type>", "only symbols of this type").choices(SYMBOL_TYPES))
    .option("--json", "print the symbols as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt ls symbols\n  rtt ls symbols 'rtt://core/*/*' --type api\n  rtt ls symbols 'rtt://core/api/metrics@^1' --json",
    )
    .action(async (pattern: string | undefined, opts: { type?: string; json?: boolean }) => {
      const { lsSymbolsCommand } = await import("./commands/ls.ts");
      setExit(lsSymbolsCommand(ctx(), pattern, opts));
    });
  ls.command("routes")
    .description("list routes.json with how many catalog symbols each end resolves to, and why")
    .option("--json", "print the routes as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt ls routes\n  rtt ls routes --json | jq '.[] | select(.from.count != 1)'",
    )
    .action(async (opts: { json?: boolean }) => {
      const { lsRoutesCommand } = await import("./commands/ls.ts");
      setExit(lsRoutesCommand(ctx(), opts));
    });
  program
    .command("audit")
    .description(
      "list the hash-chained audit ledger, or check that no record was edited or deleted",
    )
    .option("--verify", "check the hash chain; exit 0 if intact, 1 naming the first bad line")
    .option("--json", "print records as NDJSON (with --verify: one JSON verdict)")
    .option("--route <id>", "only records of this route")
    .option("--limit <n>", "only the newest <n> records")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt audit\n  rtt audit --route r1 --limit 20\n  rtt audit --json | jq .why\n  rtt audit --verify\n\nExit: 0 ok, 1 the ledger fails verification, 2 usage.",
    )
    .action(async (opts: { verify?: boolean; json?: boolean; route?: string; limit?: string }) => {
      const { auditCommand } = await import("./commands/audit.ts");
      setExit(auditCommand(ctx(), opts));
    });
  return program;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function run(argv: readonly string[], term: Terminal = terminal()): Promise<number> {
  let code = 0;
  const program = buildProgram(term, (c) => {
    code = c;
  });
  const json = argv.includes("--json");
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed.
      if (error.exitCode === 0) return 0;
      return 2;
    }
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
