/**
 * Asking before changing the wiring: `rtt apply` and `rtt rollback` show what they will do, then
 * ask the person at the terminal in the same words (Terraform's). With no terminal to ask at,
 * the command is refused unless `--auto-approve` said yes beforehand.
 */
import { createInterface } from "node:readline/promises";
import { RttError } from "@rtt/core";
import type { CommandContext } from "./context.ts";

/** True when the person typed `yes`; `command` and `hint` word the refusal without a terminal. */
export async function approvedAtTerminal(
  ctx: CommandContext,
  command: string,
  hint: string,
): Promise<boolean> {
  if (!ctx.term.out.isTTY || !process.stdin.isTTY)
    throw new RttError("RTT_ERR_USAGE", `${command} needs approval, and this is not a terminal`, {
      hint,
    });
  ctx.term.out.write(
    "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ",
  );
  const rl = createInterface({ input: process.stdin });
  try {
    return (await rl.question("")).trim() === "yes";
  } finally {
    rl.close();
  }
}
