/**
 * The grammar of `rtt keys`, `rtt sign`, `rtt verify` (manifest signatures, ADR 0017), `rtt adopt`
 * (a discovered symbol's manifest, ADR 0026), `rtt token`
 * (capability tokens, ADR 0018) and `rtt export --sbom`, kept
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

export function addAdoptCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("adopt")
    .argument("<saddr...>", "discovered symbols: concrete addresses, or references naming one each")
    .description(
      "write a manifest in .rtt/manifests/ for symbols an indexer discovered (they are never run for being found), then rescan",
    )
    .option("--sign", 'sign each manifest with the key "default" (see rtt keys generate)')
    .option("--key <name>", "sign with this key in .rtt/keys/ instead (implies --sign)")
    .option("--force", "replace a manifest file that exists already")
    .option("--json", "print what was written as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt ls symbols --json | jq -r '.[] | select(.source.scanner != \"manifest\") | .saddr'\n  rtt adopt 'rtt://tools/proc/fmt@1.2.0'\n  rtt adopt 'rtt://tools/proc/fmt' --sign\n\nThe manifest keeps the claim's fields, with x-cwd and x-path made relative to .rtt/manifests/\nand where it was found as x-discovered-from. Every address is checked before any file is\nwritten. Exit: 0 written and cataloged, 1 an address names no discovered symbol or several,\na file exists (use --force), or the key is missing.",
    )
    .action(
      async (
        saddrs: string[],
        opts: { sign?: boolean; key?: string; force?: boolean; json?: boolean },
      ) => {
        const { adoptCommand } = await import("./commands/adopt.ts");
        setExit(await adoptCommand(ctx(), saddrs, opts));
      },
    );
}

/** `rtt token mint` */
export function addTokenCommand(program: Command, { ctx, setExit }: Runtime): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  const token = program
    .command("token")
    .description("capability tokens for the panel's API (security.require_tokens)");
  token
    .command("mint")
    .description(
      "print a token signed by the panel's key for some actions on some routes or addresses, for a while (needs .rtt/keys/panel.key)",
    )
    .option(
      "--action <list>",
      "read, plan, apply, qc, trip, heal, rollback, shutdown (comma-separated or repeated)",
      collect,
      [],
    )
    .option("--route <glob>", "route id or glob, `*` for every route (repeatable)", collect, [])
    .option(
      "--saddr <pattern>",
      "SADDR pattern the call's addresses must match (repeatable)",
      collect,
      [],
    )
    .option("--ttl <duration>", "how long it lives: 90s, 15m, 1h, 7d (at most 30d)", "1h")
    .option("--sub <who>", "who it is for, recorded in the token (default: you@host)")
    .option("--json", "print the token and its claims as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  rtt token mint --action qc,trip --route events-to-log --ttl 1h\n  RTT_TOKEN=$(rtt token mint --action heal --route '*' --ttl 15m) rtt heal route/events-to-log\n\nExit: 0 ok, 1 no panel key can be read or made, 2 usage.",
    )
    .action(
      async (opts: {
        action: string[];
        route: string[];
        saddr: string[];
        ttl: string;
        sub?: string;
        json?: boolean;
      }) => {
        const { tokenMintCommand } = await import("./commands/token.ts");
        setExit(tokenMintCommand(ctx(), opts));
      },
    );
}

/** `rtt export --sbom` */
export function addExportCommand(program: Command, { ctx, setExit }: Runtime): void {
  program
    .command("export")
    .description(
      "export the running topology: --sbom writes a CycloneDX 1.6 SBOM (RTT, its drivers, the catalog's symbols, the committed routes as services)",
    )
    .option("--sbom", "a CycloneDX 1.6 JSON SBOM")
    .option("-o, --output <file>", "write it atomically to <file> (default: stdout)")
    .option(
      "--timestamp",
      "record when it was made (without it, the same state gives the same bytes)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  rtt export --sbom\n  rtt export --sbom -o sbom.cdx.json\n  rtt export --sbom --timestamp | jq '.services[].name'\n\nExit: 0 written, 1 no catalog yet (run `rtt scan`) or a file cannot be read or written, 2 usage.",
    )
    .action(async (opts: { sbom?: boolean; output?: string; timestamp?: boolean }) => {
      const { exportCommand } = await import("./commands/export.ts");
      setExit(await exportCommand(ctx(), opts));
    });
}
