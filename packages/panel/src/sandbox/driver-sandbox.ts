/**
 * The sandbox the panel starts its drivers in (docs/adr/0023-driver-sandbox.md), as panel.yaml's
 * `security.sandbox` asks: `bwrap` (a mount namespace, read-only but for the driver's mounts),
 * `node` (Node's permission model, and no_new_privs through setpriv), `none`, or `auto` (bwrap
 * when it works here, else node, with the reason in `rtt panel status`). A `bwrap` that is asked
 * for and cannot be had stops the panel's start: drivers never run less confined than asked.
 */
import type { DriverLaunch } from "@rtt/connector-sdk";
import { type CatalogSymbol, type LaneKind, RttError, type SandboxSetting } from "@rtt/core";
import type { WorkspacePaths } from "../workspace/workspace.ts";
import { driverAccess } from "./access.ts";
import { bwrapArgs } from "./bwrap-args.ts";
import { withCompileCache } from "./compile-cache.ts";
import { nodePermissionArgs } from "./node-args.ts";
import { findOnPath, probeBwrap, type ToolProbe } from "./probe.ts";

export type SandboxLevel = "bwrap" | "node" | "none";

/** What `rtt panel status` reports. */
export interface SandboxStatus {
  /** What panel.yaml asked for. */
  readonly setting: SandboxSetting;
  /** What the drivers run in. */
  readonly level: SandboxLevel;
  /** Why the level is less than the best (auto without bwrap), or a warning; "" when neither. */
  readonly note: string;
}

/** The level for `setting`, given how the bwrap probe went. */
export function chooseSandbox(setting: SandboxSetting, bwrap: () => ToolProbe): SandboxStatus {
  switch (setting) {
    case "none":
      return { setting, level: "none", note: "drivers run unconfined (security.sandbox: none)" };
    case "node":
      return { setting, level: "node", note: "" };
    case "bwrap": {
      const probe = bwrap();
      if (!probe.ok)
        throw new RttError(
          "RTT_ERR_SANDBOX_UNAVAILABLE",
          `security.sandbox is bwrap, but ${probe.reason}`,
          {
            hint: "install bubblewrap (Debian: apt-get install bubblewrap), or set security.sandbox to auto or node in .rtt/panel.yaml",
          },
        );
      return { setting, level: "bwrap", note: "" };
    }
    case "auto": {
      const probe = bwrap();
      return probe.ok
        ? { setting, level: "bwrap", note: "" }
        : { setting, level: "node", note: `degraded to node: ${probe.reason}` };
    }
  }
}

export class DriverSandbox {
  readonly status: SandboxStatus;
  readonly #paths: WorkspacePaths;
  readonly #prefer: readonly LaneKind[];
  readonly #catalog: () => readonly CatalogSymbol[];
  readonly #allowPaths: () => readonly string[];
  readonly #bwrap: () => ToolProbe;

  /** `catalog`: the symbols as the driver starts (whether one it opens names a URL). */
  constructor(
    paths: WorkspacePaths,
    setting: SandboxSetting,
    options: {
      readonly prefer: readonly LaneKind[];
      readonly catalog: () => readonly CatalogSymbol[];
      /** panel.yaml's `security.allow_paths`, as the driver starts. */
      readonly allowPaths?: () => readonly string[];
      readonly bwrap?: () => ToolProbe;
    },
  ) {
    this.#paths = paths;
    this.#prefer = options.prefer;
    this.#catalog = options.catalog;
    this.#allowPaths = options.allowPaths ?? (() => []);
    const bwrap = options.bwrap ?? probeBwrap;
    this.#bwrap = bwrap;
    this.status = chooseSandbox(setting, bwrap);
  }

  /** `unwrapped` as it runs in this sandbox, with its compile cache (compile-cache.ts). */
  wrap(unwrapped: DriverLaunch): DriverLaunch {
    const { launch, dir } = withCompileCache(this.#paths, unwrapped);
    const { level } = this.status;
    if (level === "none") return launch;
    const access = driverAccess(
      this.#paths,
      launch.name,
      this.#prefer,
      this.#catalog(),
      this.#allowPaths(),
      dir,
    );
    const argv = [launch.command, ...(launch.args ?? [])];
    if (level === "bwrap") {
      const bwrap = this.#bwrap();
      if (!bwrap.ok) throw new RttError("RTT_ERR_SANDBOX_UNAVAILABLE", bwrap.reason);
      return {
        ...launch,
        command: bwrap.path,
        args: [...bwrapArgs(access), "--", ...argv],
        forks: true,
      };
    }
    // node: the permission model only binds a Node driver; no_new_privs binds any.
    const node =
      launch.command === process.execPath
        ? [launch.command, ...nodePermissionArgs(launch.name, access), ...(launch.args ?? [])]
        : argv;
    const setpriv = findOnPath("setpriv");
    if (setpriv === undefined) {
      const [command = launch.command, ...args] = node;
      return { ...launch, command, args };
    }
    return { ...launch, command: setpriv, args: ["--no-new-privs", "--", ...node] };
  }
}
