/**
 * `rtt export --sbom [-o FILE] [--timestamp]`: the CycloneDX 1.6 SBOM of the
 * workspace's running topology, on stdout or written atomically to FILE (a reader never sees
 * half of it). Without --timestamp it is byte-identical for the same workspace state.
 */
import { resolve } from "node:path";
import { RttError } from "@rtt/core";
import { workspaceSbom, writeFileAtomic } from "@rtt/panel";
import { VERSION } from "../version.ts";
import { type CommandContext, workspaceOf } from "./context.ts";

export interface ExportOptions {
  readonly sbom?: boolean;
  readonly output?: string;
  readonly timestamp?: boolean;
}

export async function exportCommand(ctx: CommandContext, opts: ExportOptions): Promise<number> {
  if (opts.sbom !== true)
    throw new RttError("RTT_ERR_USAGE", "export: say what to export", {
      hint: "`rtt export --sbom` writes the CycloneDX SBOM of the running topology",
    });
  const text = await workspaceSbom(workspaceOf(ctx), {
    rttVersion: VERSION,
    ...(opts.timestamp === true ? { timestamp: new Date() } : {}),
  });
  if (opts.output === undefined) {
    ctx.term.out.write(text);
    return 0;
  }
  if (opts.output === "")
    throw new RttError("RTT_ERR_USAGE", "export -o: an empty file name", {
      hint: "rtt export --sbom -o sbom.cdx.json",
    });
  writeFileAtomic(resolve(ctx.cwd, opts.output), text);
  ctx.term.out.write(`Wrote the SBOM (CycloneDX 1.6) to ${opts.output}\n`);
  return 0;
}
