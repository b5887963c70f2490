/**
 * What each connector driver is made of, for the SBOM: the file the panel would start it from
 * (the same lookup `driverLaunch` does: `.rtt/drivers/<name>` first, else a connector shipped
 * with RTT), that file's SHA-256, and the shipped connector's package version.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { errorMessage, RttError } from "@rtt/core";
import { driverLaunch } from "../daemon/host-pool.ts";
import type { WorkspacePaths } from "../workspace/workspace.ts";

export interface DriverInfo {
  readonly name: string;
  /** The shipped connector's package version; absent for a workspace's own driver. */
  readonly version?: string;
  /** Absent when no driver of that name can be found (the plan would say so too). */
  readonly entry?: {
    /** Relative to the workspace root (`.rtt/drivers/…`), or `<package>/src/driver.ts`. */
    readonly path: string;
    readonly sha256: string;
  };
}

/** The SHA-256 of a file the SBOM names; unreadable is RTT_ERR_IO naming it. */
export function sha256Of(file: string): string {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch (error) {
    throw new RttError("RTT_ERR_IO", `cannot read ${file} to hash it: ${errorMessage(error)}`, {
      hint: "the SBOM lists the hash of every driver and manifest file; make it readable",
    });
  }
}

const slashed = (path: string): string => path.split(sep).join("/");

/** The driver named `name` as the workspace `paths` would start it. */
export function driverInfo(paths: WorkspacePaths, name: string): DriverInfo {
  let file: string;
  try {
    const launch = driverLaunch(paths.drivers, name);
    file = launch.args?.[0] ?? launch.command;
  } catch {
    return { name };
  }
  const inWorkspace = !relative(paths.drivers, file).startsWith("..");
  if (inWorkspace)
    return { name, entry: { path: slashed(relative(paths.root, file)), sha256: sha256Of(file) } };
  // A shipped connector: packages/connectors/<name>/src/driver.ts, its package.json beside src/.
  const manifest = join(dirname(dirname(file)), "package.json");
  const pkg = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string })
    : {};
  const path = `${pkg.name ?? name}/${slashed(relative(dirname(dirname(file)), file))}`;
  return {
    name,
    ...(pkg.version === undefined ? {} : { version: pkg.version }),
    entry: { path, sha256: sha256Of(file) },
  };
}
