/** `rtt keys generate|list`, `rtt sign` and `rtt verify`: manifest signing keys and signatures. */
import { join } from "node:path";
import { RttError } from "@rtt/core";
import {
  type FileVerdict,
  generateSigningKey,
  KEYS_DIR,
  loadSigningKey,
  loadTrustedKeys,
  manifestFile,
  PANEL_KEY_NAME,
  relativeToRoot,
  signManifestFiles,
  verifyManifestFile,
  workspaceManifests,
} from "@rtt/panel";
import { count, paint, table } from "../output.ts";
import { type CommandContext, reportDiagnostics, workspaceOf, writeJson } from "./context.ts";

/** The key `rtt keys generate` makes and `rtt sign` uses when no name is given. */
export const DEFAULT_KEY_NAME = "default";

export function keysGenerateCommand(
  ctx: CommandContext,
  opts: { name?: string; json?: boolean },
): number {
  const paths = workspaceOf(ctx);
  const name = opts.name ?? DEFAULT_KEY_NAME;
  // The panel's key signs tokens and the audit head; trusting it for manifests would let
  // anything holding the panel's key vouch for programs too.
  if (name === PANEL_KEY_NAME)
    throw new RttError("RTT_ERR_USAGE", `--name ${name}: that name is the panel's own key`, {
      hint: "pick another name, e.g. your own",
    });
  const key = generateSigningKey(paths.rttDir, name);
  const privateFile = join(paths.rttDir, KEYS_DIR, `${name}.key`);
  if (opts.json) {
    writeJson(ctx, { name, key: key.keyId, private_key: privateFile, public_key: key.publicFile });
    return 0;
  }
  const out = ctx.term.out;
  out.write(`key ${name}: ${key.keyId}\n`);
  out.write(`  private: ${relativeToRoot(paths, privateFile)} (0600; keep it, never commit it)\n`);
  out.write(
    `  trusted: ${relativeToRoot(paths, key.publicFile)} (manifests it signs are trusted here)\n`,
  );
  out.write(`Next: rtt sign FILE${name === DEFAULT_KEY_NAME ? "" : ` --key ${name}`}\n`);
  return 0;
}

export function keysListCommand(ctx: CommandContext, opts: { json?: boolean }): number {
  const paths = workspaceOf(ctx);
  const keys = [...loadTrustedKeys(paths.rttDir).values()];
  if (opts.json) {
    writeJson(
      ctx,
      keys.map((k) => ({ name: k.name, key: k.keyId, file: k.file })),
    );
    return 0;
  }
  if (keys.length === 0) {
    ctx.term.out.write("no trusted keys in .rtt/trust/; make one with `rtt keys generate`\n");
    return 0;
  }
  const rows = keys.map((k) => [k.name, k.keyId, relativeToRoot(paths, k.file)]);
  ctx.term.out.write(`${table(["NAME", "KEY", "FILE"], rows)}\n`);
  ctx.term.out.write(paint(ctx.term.out, "dim", `${count(keys.length, "trusted key")}\n`));
  return 0;
}

export function signCommand(
  ctx: CommandContext,
  files: readonly string[],
  opts: { key?: string; json?: boolean },
): number {
  const paths = workspaceOf(ctx);
  const key = loadSigningKey(paths.rttDir, opts.key ?? DEFAULT_KEY_NAME);
  const targets = files.map((f) => manifestFile(paths, ctx.cwd, f));
  signManifestFiles(targets, key);
  if (opts.json) {
    writeJson(ctx, { name: key.name, key: key.keyId, files: targets.map((t) => t.rel) });
    return 0;
  }
  for (const t of targets)
    ctx.term.out.write(`signed ${t.rel} with key ${key.name} (${key.keyId})\n`);
  return 0;
}

function verdictText(v: FileVerdict): string {
  switch (v.state) {
    case "trusted":
      return `signed by ${v.name} (${v.key})`;
    case "untrusted":
      return `signed by untrusted key ${v.key}`;
    case "unsigned":
      return "unsigned";
    case "invalid":
      return `INVALID: the signature by ${v.name} (${v.key}) does not verify; changed after signing`;
    case "broken":
      return `INVALID: ${v.message}`;
  }
}

const failed = (v: FileVerdict) => v.state === "invalid" || v.state === "broken";

/**
 * Checks each named manifest (default: every one a scan would read). Exit 1 when a signature
 * does not verify or a file is no manifest; unsigned and untrusted ones are reported, not failed
 * (strict mode is the router's to enforce).
 */
export function verifyCommand(
  ctx: CommandContext,
  files: readonly string[],
  opts: { json?: boolean },
): number {
  const paths = workspaceOf(ctx);
  const trusted = loadTrustedKeys(paths.rttDir);
  let targets = files.map((f) => manifestFile(paths, ctx.cwd, f));
  if (files.length === 0) {
    const found = workspaceManifests(paths);
    if ("configProblems" in found) {
      reportDiagnostics(ctx, found.configProblems, opts.json, { red: true });
      return 1;
    }
    targets = found.files;
  }
  const verdicts = targets.map((t) => verifyManifestFile(t, trusted));
  const bad = verdicts.filter(failed).length;
  if (opts.json) {
    writeJson(ctx, { files: verdicts, invalid: bad });
    return bad > 0 ? 1 : 0;
  }
  for (const v of verdicts) {
    const line = `${v.file}: ${verdictText(v)}`;
    ctx.term.out.write(`${failed(v) ? paint(ctx.term.out, "red", line) : line}\n`);
  }
  ctx.term.out.write(
    paint(ctx.term.out, "dim", `${count(verdicts.length, "manifest")} checked, ${bad} invalid\n`),
  );
  return bad > 0 ? 1 : 0;
}
