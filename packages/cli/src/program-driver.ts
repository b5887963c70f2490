/** The grammar of `rtt driver check` (the driver contract's conformance suite, docs/connectors.md). */
import type { Command } from "commander";
import type { DriverCheckFlags } from "./commands/driver-check.ts";
import type { Runtime } from "./program.ts";

export function addDriverCommand(program: Command, { ctx, setExit }: Runtime): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const driver = program.command("driver").description("connector drivers");
  driver
    .command("check")
    .argument(
      "<executable>",
      "a driver executable, a .ts/.mjs/.js driver, or a built-in driver's name (file, http, nats, process, stub)",
    )
    .description(
      "run a driver through the driver contract (docs/connectors.md): each check, pass or fail, and why",
    )
    .option(
      "--contract <file>",
      "the symbol to open: a manifest or a contract JSON (default: the first its Probe finds)",
    )
    .option("--param <key=value>", "an Open param for the symbol (repeatable)", collect, [])
    .option(
      "--message <text>",
      'what is sent to the symbol, {i} numbered (default "rtt-check {i}")',
    )
    .option("--count <n>", "messages per data check (default 20)")
    .option("--start-timeout <ms>", "how long the driver may take to start (default 10000)")
    .option("--root <folder>", "where the driver's Probe looks (default: this folder)")
    .option("--json", "print every check as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt driver check .rtt/drivers/pyfile\n  rtt driver check process --contract services/cat/rtt.manifest.json\n  rtt driver check ./my-driver --json\n\nThe symbol must answer what it is sent (an echo, `cat`, a request/response target) for the\nsource-side checks; a symbol that does not skips them. Exit: 0 every check passed or was\nskipped, 1 a check failed, 2 usage.",
    )
    .action(async (executable: string, flags: DriverCheckFlags) => {
      const { driverCheckCommand } = await import("./commands/driver-check.ts");
      setExit(await driverCheckCommand(ctx(), executable, flags));
    });
}
