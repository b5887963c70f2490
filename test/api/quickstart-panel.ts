/**
 * A panel to talk to: a temp copy of examples/quickstart, scanned and applied with the real `rtt`
 * binary (so its two routes are wired by a panel running in the background, as a user's would
 * be). `stop()` runs `rtt panel stop` and removes the folder.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { copyQuickstart, type QuickstartSetup } from "../support/quickstart.ts";
import {
  describeRun,
  panelLogTail,
  RTT_TIMEOUT_MS,
  type RunResult,
  removeTempDirs,
  runRtt,
} from "../support/run-rtt.ts";

export const ROUTES = ["events-to-log", "ui-refresh"] as const;

export interface QuickstartPanel {
  readonly root: string;
  /** The panel's socket path, and its `api.listen` form. */
  readonly socket: string;
  readonly listen: string;
  rtt(args: readonly string[]): Promise<RunResult>;
  stop(): Promise<void>;
}

/** The quickstart, `setup` for the case, with its routes wired by a panel in the background. */
export async function startQuickstartPanel(setup: QuickstartSetup = {}): Promise<QuickstartPanel> {
  const root = copyQuickstart(setup);
  const rtt = (args: readonly string[]) => runRtt(args, { cwd: root, timeoutMs: RTT_TIMEOUT_MS });
  for (const args of [["scan"], ["apply", "--auto-approve"]]) {
    const r = await rtt(args);
    if (r.code !== 0)
      throw new Error(`rtt ${args.join(" ")}: ${describeRun(r)}\n${panelLogTail(root)}`);
  }
  const socket = join(root, ".rtt", "sockets", "panel.sock");
  return {
    root,
    socket,
    listen: `unix://${socket}`,
    rtt,
    async stop() {
      if (existsSync(socket)) await rtt(["panel", "stop"]).catch(() => undefined);
      removeTempDirs();
    },
  };
}
