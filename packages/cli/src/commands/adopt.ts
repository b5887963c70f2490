/**
 * `rtt adopt SADDR…`: a manifest under .rtt/manifests/ for each discovered symbol named, signed
 * with --sign, then a scan so the catalog shows it declared by that manifest at once.
 */
import { RttError } from "@rtt/core";
import {
  type Adoption,
  adoptSymbols,
  loadSigningKey,
  type SigningKey,
  scanWorkspace,
  type WorkspacePaths,
} from "@rtt/panel";
import { count, paint } from "../output.ts";
import { type CommandContext, workspaceOf, writeJson } from "./context.ts";
import { DEFAULT_KEY_NAME } from "./trust.ts";

export interface AdoptFlags {
  readonly sign?: boolean;
  readonly key?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** The key --sign uses; a missing one says how to make it. */
function signingKey(paths: WorkspacePaths, name: string): SigningKey {
  try {
    return loadSigningKey(paths.rttDir, name);
  } catch (error) {
    if (!(error instanceof RttError) || error.code !== "RTT_ERR_KEY") throw error;
    throw new RttError("RTT_ERR_KEY", `--sign: ${error.message}; nothing was written`, {
      hint: `make one with \`rtt keys generate${name === DEFAULT_KEY_NAME ? "" : ` --name ${name}`}\`, then adopt again`,
    });
  }
}

export async function adoptCommand(
  ctx: CommandContext,
  references: readonly string[],
  flags: AdoptFlags,
): Promise<number> {
  const paths = workspaceOf(ctx);
  const sign = flags.sign === true || flags.key !== undefined;
  const key = sign ? signingKey(paths, flags.key ?? DEFAULT_KEY_NAME) : undefined;
  const adopted = adoptSymbols(paths, references, {
    ...(key === undefined ? {} : { key }),
    ...(flags.force === undefined ? {} : { force: flags.force }),
  });
  // Scanned now, so `rtt ls symbols` shows each one declared by its manifest at once.
  const report = await scanWorkspace(paths);
  const declared = (a: Adoption) =>
    report.symbols.find((s) => s.saddr === a.saddr && s.source.file === a.file);
  const missing = adopted.filter((a) => declared(a) === undefined);
  if (flags.json) {
    writeJson(ctx, {
      adopted: adopted.map((a) => ({
        saddr: a.saddr,
        file: a.file,
        replaced: a.replaced,
        signed_by: key?.keyId ?? null,
        discovered_from: a.discoveredFrom,
        cataloged: declared(a) !== undefined,
      })),
      scan: {
        symbols: report.symbols.length,
        errors: report.errors,
        warnings: report.warnings,
        stopped: report.stopped,
      },
    });
    return missing.length > 0 ? 1 : 0;
  }
  const out = ctx.term.out;
  for (const a of adopted) {
    const from = `${a.discoveredFrom.file}:${a.discoveredFrom.line}`;
    const signed = key === undefined ? "" : `, signed with key ${key.name} (${key.keyId})`;
    out.write(
      `adopted ${a.saddr} → ${a.file}${a.replaced ? " (replaced)" : ""}${signed}; found by ${a.discoveredFrom.indexer} at ${from}\n`,
    );
  }
  for (const a of missing)
    ctx.term.err.write(
      `${paint(ctx.term.err, "red", `${a.file}: written, but the scan did not catalog ${a.saddr} from it`)}\n`,
    );
  const problems =
    report.errors + report.warnings === 0
      ? ""
      : `; ${count(report.errors, "error")}, ${count(report.warnings, "warning")} (rtt scan shows them)`;
  out.write(
    paint(
      out,
      "dim",
      `scanned: ${count(report.symbols.length, "symbol")}${problems}. Review the file${adopted.length > 1 ? "s" : ""}${sign ? "" : `, then \`rtt sign\` ${adopted.length > 1 ? "them" : "it"}`}.\n`,
    ),
  );
  return missing.length > 0 ? 1 : 0;
}
