/**
 * The commands `rtt` accepts: their arguments, options, help and exit codes, and what each one
 * runs. Each command's module is imported when it runs, so `rtt --help` loads no scanner.
 */
import { readFileSync } from "node:fs";
import { SYMBOL_TYPES } from "@rtt/core/saddr.ts";
import { Argument, Command, Option } from "commander";
import type { CommandContext } from "./commands/context.ts";
import { folderOption } from "./commands/flags.ts";
import { completionScript, SHELLS, type Shell } from "./completion/scripts.ts";
import type { Terminal } from "./output.ts";
import { addDriverCommand } from "./program-driver.ts";
import {
  addAdoptCommand,
  addExportCommand,
  addKeysCommands,
  addSignCommand,
  addTokenCommand,
  addVerifyCommand,
} from "./program-trust.ts";

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

/** What an action needs from the program: the context it runs in, and where its exit code goes. */
export interface Runtime {
  /** Called when the action runs: `-C` is known only once the arguments are parsed. */
  readonly ctx: () => CommandContext;
  readonly setExit: (code: number) => void;
}

/** The whole `rtt` program; an action's exit code goes to `setExit`. */
export function buildProgram(term: Terminal, setExit: (code: number) => void): Command {
  const program = rootCommand(term);
  const rt: Runtime = {
    ctx: () => ({
      cwd: folderOption(program.opts<{ dir?: string }>().dir) ?? process.cwd(),
      term,
    }),
    setExit,
  };
  // Added in the order `rtt --help` lists them.
  addInitCommand(program, rt);
  addScanCommand(program, rt);
  addLsCommands(program, rt);
  addPlanCommand(program, rt);
  addApplyCommand(program, rt);
  addRollbackCommand(program, rt);
  addQcCommand(program, rt);
  addBreakerCommands(program, rt);
  addTapCommand(program, rt);
  addUiCommand(program, rt);
  addGraphCommand(program, rt);
  addPanelCommands(program, rt);
  addAuditCommand(program, rt);
  addKeysCommands(program, rt);
  addSignCommand(program, rt);
  addVerifyCommand(program, rt);
  addAdoptCommand(program, rt);
  addTokenCommand(program, rt);
  addDriverCommand(program, rt);
  addExportCommand(program, rt);
  addCompletionCommand(program, rt);
  return program;
}

/** `rtt` itself: its global options, version, examples, and output through `term`. */
function rootCommand(term: Terminal): Command {
  return new Command("rtt")
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
}

function addInitCommand(program: Command, { ctx, setExit }: Runtime): void {
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
}

function addScanCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("scan")
    .description(
      "find manifests, .rtttags and what indexers discover under the workspace and write the symbol catalog",
    )
    .option("--json", "print the scan report as JSON (with --watch: one JSON object a line)")
    .option(
      "--explain <saddr>",
      "after scanning, show every claim on this address (manifests, indexers) and why the winner won",
    )
    .option("--watch", "rescan on each change and print + appeared, ~ changed, - vanished")
    .option("--local", "scan here even when a running panel watches (and could answer)")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt scan\n  rtt scan --json | jq .diagnostics\n  rtt scan --explain rtt://mytool/proc/mytool@0.0.0\n  rtt scan --watch\n  rtt scan --local\n  rtt -C examples/quickstart scan\n\nExit: 0 ok (--watch: stopped by Ctrl-C), 1 a manifest, sidecar or panel.yaml has an error (see file:line:col); with --explain, 1 when the address is not catalogued.",
    )
    .action(
      async (opts: { json?: boolean; explain?: string; watch?: boolean; local?: boolean }) => {
        const { scanCommand } = await import("./commands/scan.ts");
        setExit(await scanCommand(ctx(), opts));
      },
    );
}

/** `rtt ls symbols` and `rtt ls routes` */
function addLsCommands(program: Command, { ctx, setExit }: Runtime): void {
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
      setExit(await lsRoutesCommand(ctx(), opts));
    });
}

function addPlanCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("plan")
    .description(
      "show what `rtt apply` would wire, unwire and rewire: routes.json + policy.json vs the last applied wiring",
    )
    .option("--out <file>", "save the plan to <file> for `rtt apply <file>` (also -out <file>)")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are")
    .option("--json", "print the plan as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt plan\n  rtt plan -out plan.json && rtt apply plan.json\n  rtt plan --detailed-exitcode >/dev/null; echo $?\n  rtt plan --json | jq '.edits[] | {action, route}'\n\nExit: 0 ok, 1 an input is invalid (see file:line:col) or a route cannot be wired, 2 usage;\nwith --detailed-exitcode 0 no changes, 2 changes, 1 error.",
    )
    .action(async (opts: { out?: string; detailedExitcode?: boolean; json?: boolean }) => {
      const { planCommand } = await import("./commands/plan.ts");
      setExit(planCommand(ctx(), opts));
    });
}

function addApplyCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("apply")
    .argument("[file]", "a plan saved by `rtt plan -out FILE` (refused if its inputs changed)")
    .description(
      "wire, unwire and rewire routes as planned: batches of two-phase commits through the panel",
    )
    .option("--auto-approve", "apply without asking (needed when stdin is not a terminal)")
    .option("--json", "print the result of each batch as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt apply\n  rtt apply --auto-approve\n  rtt plan -out plan.json && rtt apply plan.json\n\nStarts the panel in the background when none runs. Exit: 0 every batch committed (or no\nchanges), 1 a batch rolled back, an input is invalid, or the plan is stale, 2 usage.",
    )
    .action(async (file: string | undefined, opts: { autoApprove?: boolean; json?: boolean }) => {
      const { applyCommand } = await import("./commands/apply.ts");
      setExit(await applyCommand(ctx(), file, opts));
    });
}

function addRollbackCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("rollback")
    .argument("[seq]", "the WAL seq of a committed topology (see --list)")
    .description("restore the topology of an earlier apply, through the same two-phase commit")
    .option("--list", "list the committed topologies with their seq")
    .option("--auto-approve", "roll back without asking (needed when stdin is not a terminal)")
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt rollback --list\n  rtt rollback 12\n  rtt rollback 12 --auto-approve\n\nShows the changes it will make and asks, like `rtt apply`.",
    )
    .action(
      async (
        seq: string | undefined,
        opts: { list?: boolean; json?: boolean; autoApprove?: boolean },
      ) => {
        const { rollbackCommand } = await import("./commands/rollback.ts");
        setExit(await rollbackCommand(ctx(), seq, opts));
      },
    );
}

function addQcCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("qc")
    .argument("<swap...>", "A -> B: a wired route (id or source) and its new target")
    .description("QuickConnect: move a wired route to another target at a frame boundary")
    // `->` and `-> B` are the swap's words, not options (parseSwap refuses a real unknown one).
    .allowUnknownOption()
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt qc 'events-to-log -> rtt://obs/extension/logger2'\n  rtt qc events-to-log rtt://obs/extension/logger2 --json\n\nQuote the arrow: unquoted, the shell reads `>` as a redirection. The same swap again is a\nno-op. A request/response route's requests in flight are answered by the old target first\n(up to 5 s); rtt qc returns once the new target answers.",
    )
    .action(async (swap: string[], opts: { json?: boolean }) => {
      const { qcCommand } = await import("./commands/live.ts");
      setExit(await qcCommand(ctx(), swap, opts));
    });
}

/** `rtt trip` and `rtt heal`: one definition, the breaker action named by the command. */
function addBreakerCommands(program: Command, { ctx, setExit }: Runtime): void {
  for (const kind of ["trip", "heal"] as const) {
    program
      .command(kind)
      .argument("<route>", "route/<id>, or the route's id")
      .description(
        kind === "trip"
          ? "open a route's circuit breaker (held open until rtt heal): traffic moves to the policy's failover target, else to a stub of the target's x-examples (degrade), else the route is held (a one-way route's source parks: its frames wait there)"
          : "run the half-open test on a route's breaker on its real target (a degraded route is restored): a bounded trial, closed after enough successes",
      )
      .option("--why <text>", "recorded in the audit ledger")
      .option("--json", "print the breaker's state as JSON")
      .addHelpText("after", `\nExamples:\n  rtt ${kind} route/events-to-log`)
      .action(async (route: string, opts: { why?: string; json?: boolean }) => {
        const { breakerCommand } = await import("./commands/live.ts");
        setExit(await breakerCommand(ctx(), kind, route, opts));
      });
  }
}

function addTapCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("tap")
    .argument("[route]", "route/<id>; default: every wired route")
    .description(
      "live health of wired routes: throughput, p50/p95/p99, queue depth, errors, breaker",
    )
    .option("--json", "stream the samples as NDJSON")
    .option("--interval <ms>", "between samples (default: panel.yaml health.heartbeat_ms)")
    .option("--count <n>", "stop after n samples in all (each interval brings one per route)")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt tap\n  rtt tap route/events-to-log --json --count 10 | jq .p95_ms",
    )
    .action(
      async (
        route: string | undefined,
        opts: { json?: boolean; interval?: string; count?: string },
      ) => {
        const { tapCommand } = await import("./commands/live.ts");
        setExit(await tapCommand(ctx(), route, opts));
      },
    );
}

function addUiCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("ui")
    .description(
      "serve a live picture of the topology on loopback: routes coloured by breaker, throughput and p99, the audit tail, trip and heal",
    )
    .option(
      "--listen <address>",
      "127.0.0.1:<port> (0: any free port), [::1]:<port>, or unix:<path> (default: 127.0.0.1:0)",
    )
    .option("--json", "print the page's address as JSON once it serves")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt ui\n  rtt ui --listen 127.0.0.1:7700\n  rtt ui --listen unix:/tmp/rtt-ui.sock\n\nServes until interrupted. The address it prints carries a secret made for this run: the\npage's requests need it, so only who can read the terminal can open the page.",
    )
    .action(async (opts: { listen?: string; json?: boolean }) => {
      const { uiCommand } = await import("./commands/ui.ts");
      setExit(await uiCommand(ctx(), opts));
    });
}

function addGraphCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("graph")
    .description(
      "print the topology as Graphviz DOT or Mermaid: symbols as nodes, routes as edges with their breaker",
    )
    .addOption(
      new Option("--format <format>", "the text form").choices(["dot", "mermaid"]).default("dot"),
    )
    .option("--json", "print the graph's nodes and edges as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt graph | dot -Tsvg > topology.svg\n  rtt graph --format mermaid\n  rtt graph --json | jq '.edges[] | {id, breaker}'\n\nFrom the running panel (what is wired now), else from routes.json and the catalog.",
    )
    .action(async (opts: { format: "dot" | "mermaid"; json?: boolean }) => {
      const { graphCommand } = await import("./commands/graph.ts");
      setExit(await graphCommand(ctx(), opts));
    });
}

/** `rtt panel start|stop|status|run` */
function addPanelCommands(program: Command, { ctx, setExit }: Runtime): void {
  const panel = program
    .command("panel")
    .description("start, stop or inspect this workspace's panel daemon")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt panel status\n  rtt panel start\n  rtt panel start --salvage   # after RTT_ERR_WAL_CORRUPT\n  rtt panel stop\n\nThe daemon's log is .rtt/panel.log; `rtt apply` starts it when none runs.",
    );
  panel
    .command("start")
    .description("start the panel in the background (no-op when it runs)")
    .option("--json", "print the pid and socket as JSON")
    .option(
      "--salvage",
      "keep what verifies of a damaged WAL or audit ledger, move the damaged files aside, say what was dropped",
    )
    .action(async (opts: { json?: boolean; salvage?: boolean }) => {
      const { panelStartCommand } = await import("./commands/panel.ts");
      setExit(await panelStartCommand(ctx(), opts));
    });
  panel
    .command("stop")
    .description("stop the panel: its drivers, links, lanes and socket go with it")
    .option("--json", "print what was stopped as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { panelStopCommand } = await import("./commands/panel.ts");
      setExit(await panelStopCommand(ctx(), opts));
    });
  panel
    .command("status")
    .description("is a panel running here, since when, with which drivers (exit 1 if none)")
    .option("--json", "print the status as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { panelStatusCommand } = await import("./commands/panel.ts");
      setExit(await panelStatusCommand(ctx(), opts));
    });
  panel
    .command("run")
    .description("run the panel in the foreground (what `start` runs; logs on stderr)")
    .action(async () => {
      const { panelRunCommand } = await import("./commands/panel.ts");
      setExit(await panelRunCommand(ctx()));
    });
}

function addAuditCommand(program: Command, { ctx, setExit }: Runtime): void {
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
}

/** `rtt completion SHELL`: generated from this program's own commands and flags. */
function addCompletionCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("completion")
    .addArgument(new Argument("<shell>", "the shell to complete in").choices(SHELLS))
    .description("print a completion script for rtt's commands, subcommands and flags")
    .addHelpText(
      "after",
      "\nExamples:\n  source <(rtt completion bash)      # in ~/.bashrc\n  source <(rtt completion zsh)       # in ~/.zshrc, after compinit\n  rtt completion fish > ~/.config/fish/completions/rtt.fish",
    )
    .action(async (shell: Shell) => {
      const { completionTable } = await import("./completion/table.ts");
      ctx().term.out.write(completionScript(shell, completionTable(program)));
      setExit(0);
    });
}
