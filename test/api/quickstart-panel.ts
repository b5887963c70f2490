/**
 * A panel to talk to: a Workspace (a temp copy of examples/quickstart, test/support), scanned and
 * applied with the real `rtt` binary (so its two routes are wired by a panel running in the
 * background, as a user's would be). `stop()` is the Workspace's `cleanup`: it stops the panel if
 * it still runs and removes the folder.
 */
import type { QuickstartSetup } from "../support/quickstart.ts";
import { cleanup, scanAndApply, Workspace } from "../support/quickstart-workspace.ts";
import type { RunResult } from "../support/run-rtt.ts";

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
  const ws = new Workspace(setup);
  // These tests count commits and audit records: a breaker that opens on a loaded machine (a
  // slow sample) would add a degrade and a restore of its own. Breakers have their own tests.
  ws.editText(".rtt/panel.yaml", (text) =>
    text.replace(
      /trip_threshold: \{[^}]*\}/,
      "trip_threshold: { errors: 1000000, window_ms: 1000 }",
    ),
  );
  await scanAndApply(ws);
  const socket = ws.path(".rtt", "sockets", "panel.sock");
  return {
    root: ws.root,
    socket,
    listen: `unix://${socket}`,
    rtt: (args) => ws.rtt(args),
    stop: cleanup,
  };
}
