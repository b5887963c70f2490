/**
 * The grammar of `rtt keys`, `rtt sign` and `rtt verify` (manifest signatures, ADR 0017), kept
 * beside program.ts so that file stays one screenful a command.
 */
import type { Command } from "commander";
import type { Runtime } from "./program.ts";

/** `rtt keys generate` and `rtt keys list` */
export function addKeysCommands(program: Command, { ctx, setExit }: Runtime): void {
  const keys = program
    .command("keys")
    .description("make manifest signing keys and list the trusted ones (.rtt/trust/)")
    .addHelpText("after", "\nExamples:\n  rtt keys generate --name alice\n  rtt keys list");
  keys
    .command("generate")
    .description(
      "make an Ed25519 key pair: the private key in .rtt/keys/NAME.key (0600), its public key in .rtt/trust/NAME.pub (trusted)",
    )
    .option("--name <name>", 'the key\'s name (default "default", what `rtt sign` uses)')
    .option("--json", "print the key id and both files as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt keys generate\n  rtt keys generate --name alice --json\n\nAn existing key is never replaced. Commit .rtt/trust/NAME.pub, never .rtt/keys/.",
    )
    .action(async (opts: { name?: string; json?: boolean }) => {
      const { keysGenerateCommand } = await import("./commands/trust.ts");
      setExit(keysGenerateCommand(ctx(), opts));
    });
  keys
    .command("list")
    .description("list the trusted keys: each .rtt/trust/*.pub with its key id")
    .option("--json", "print the keys as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { keysListCommand } = await import("./commands/trust.ts");
      setExit(keysListCommand(ctx(), opts));
    });
}

export function addSignCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("sign")
    .argument("<file...>", "manifests to sign (rewritten in place as 2-space JSON)")
    .description(
      "add a signature member to manifests: Ed25519 over the canonical manifest without it",
    )
    .option("--key <name>", 'the key in .rtt/keys/ to sign with (default "default")')
    .option("--json", "print the key and the files signed as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt sign services/api/rtt.manifest.json\n  rtt sign --key alice */rtt.manifest.json\n\nEvery file is checked first: one that is not a valid manifest leaves them all untouched.\nExit: 0 signed, 1 a file is not a valid manifest or the key is missing.",
    )
    .action(async (files: string[], opts: { key?: string; json?: boolean }) => {
      const { signCommand } = await import("./commands/trust.ts");
      setExit(signCommand(ctx(), files, opts));
    });
}

export function addVerifyCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("verify")
    .argument("[file...]", "manifests to check (default: every manifest under the scan roots)")
    .description(
      "check manifest signatures against .rtt/trust/: signed by NAME, untrusted key, unsigned, or INVALID",
    )
    .option("--json", "print one verdict per file as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt verify\n  rtt verify vendor/lib/rtt.manifest.json --json\n\nExit: 0 no invalid signature, 1 a signature does not verify or a file is not a manifest.",
    )
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { verifyCommand } = await import("./commands/trust.ts");
      setExit(verifyCommand(ctx(), files, opts));
    });
}
