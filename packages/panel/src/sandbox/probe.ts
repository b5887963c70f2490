/**
 * Whether bubblewrap works on this machine (docs/adr/0023-driver-sandbox.md): found on PATH, and
 * a trial run with the very namespaces and options a driver gets exits 0 (a container without
 * user namespaces, or a kernel that refuses them, fails here, not at a driver's start). Probed
 * once per process: the answer does not change while a panel runs.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { bwrapArgs } from "./bwrap-args.ts";

export type ToolProbe =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly reason: string };

/** The first executable `name` on PATH. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

let bwrap: ToolProbe | undefined;

/** bubblewrap's path when it works here, else why not. */
export function probeBwrap(): ToolProbe {
  bwrap ??= probe();
  return bwrap;
}

function probe(): ToolProbe {
  const path = findOnPath("bwrap");
  if (path === undefined) return { ok: false, reason: "bwrap not found on PATH" };
  const trial = bwrapArgs({ mounts: [], network: "none" });
  const run = spawnSync(path, [...trial, "--", "true"], { encoding: "utf8", timeout: 5000 });
  if (run.status === 0) return { ok: true, path };
  const said = (run.stderr ?? "").trim().split("\n")[0] ?? "";
  const why = run.error?.message ?? (said !== "" ? said : `exit ${run.status ?? run.signal}`);
  return { ok: false, reason: `bwrap does not work here: ${why.slice(0, 200)}` };
}
