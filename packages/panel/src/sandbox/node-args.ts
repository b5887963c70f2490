/**
 * Node's permission model for a Node driver where bubblewrap is not available
 * (docs/adr/0023-driver-sandbox.md): reads of RTT itself, the workspace, the socket folders and
 * /proc (process identities); writes only to the driver's writable mounts. Node cannot close a
 * folder again inside one it opened, so at this level `.rtt/` stays writable for the driver.
 * Child processes are allowed only to drivers that run programs, and those run free (the
 * driver starts them without these flags: programArgv in the connector SDK); native addons are
 * allowed because shm lanes are one.
 */
import { fileURLToPath } from "node:url";
import type { DriverAccess } from "./access.ts";

/** The folder holding RTT's packages and node_modules: what a driver's imports read. */
export const INSTALL_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Built-in drivers that start no program of their own. */
const NO_PROGRAMS = new Set(["file", "stub"]);

/** Node's options for driver `name` with `access`, before the driver's script. */
export function nodePermissionArgs(name: string, access: DriverAccess): string[] {
  const writable = access.mounts.filter((m) => m.mode === "rw").map((m) => m.path);
  const readable = [INSTALL_ROOT, "/proc", ...writable];
  return [
    "--permission",
    ...[...new Set(readable)].map((path) => `--allow-fs-read=${path}`),
    ...[...new Set(writable)].map((path) => `--allow-fs-write=${path}`),
    ...(NO_PROGRAMS.has(name) ? [] : ["--allow-child-process"]),
    "--allow-addons",
    // Node warns that the two allowances above weaken the model: ADR 0023 says how, once.
    "--disable-warning=SecurityWarning",
  ];
}
