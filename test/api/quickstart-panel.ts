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
  // These tests count commits and audit records: a breaker that opens on a loaded machine
  // would add records and commits of its own — tripped by errors (a slow sample), or by the
  // policy's failover SLO (the events route's p95 over 50 ms on a starved CPU: seen as a trip,
  // heal, trip, heal, heal by the panel). Breakers have their own tests.
  const ws = new Workspace({
    ...setup,
    policy: (policy) => {
      for (const f of policy.failover ?? []) f.health = "p95<60000ms";
      setup.policy?.(policy);
    },
  });
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
