// Original file: proto/rtt/v1/panel.proto

import type { DriverStatus as _rtt_panel_v1_DriverStatus, DriverStatus__Output as _rtt_panel_v1_DriverStatus__Output } from '../../../rtt/panel/v1/DriverStatus.ts';
import type { SandboxStatus as _rtt_panel_v1_SandboxStatus, SandboxStatus__Output as _rtt_panel_v1_SandboxStatus__Output } from '../../../rtt/panel/v1/SandboxStatus.ts';
import type { Long } from '@grpc/proto-loader';

export interface PanelStatus {
  /**
   * The daemon's process id.
   */
  'pid'?: (number);
  /**
   * The workspace root (the folder holding .rtt/).
   */
  'root'?: (string);
  /**
   * The socket this answer came over, as panel.yaml names it (unix://...).
   */
  'listen'?: (string);
  /**
   * When the daemon started, Unix epoch milliseconds.
   */
  'started_at_unix_ms'?: (number | string | Long);
  /**
   * The WAL seq of the last committed topology (0: none yet).
   */
  'committed_seq'?: (number | string | Long);
  /**
   * How many routes are wired.
   */
  'routes'?: (number);
  /**
   * The connector drivers the panel runs.
   */
  'drivers'?: (_rtt_panel_v1_DriverStatus)[];
  /**
   * The panel's version (the CLI's package version).
   */
  'version'?: (string);
  /**
   * The live topology as JSON ({"format":"rtt.topology/v1","edges":{...}}): what a plan made
   * for this panel diffs against.
   */
  'topology_json'?: (string);
  /**
   * What the panel found wrong with the audit ledger when it started (chain, head signature or
   * WAL anchors: docs/adr/0019-audit-identity.md); empty when nothing.
   */
  'audit_problem'?: (string);
  /**
   * The sandbox the drivers run in (docs/adr/0023-driver-sandbox.md).
   */
  'sandbox'?: (_rtt_panel_v1_SandboxStatus | null);
  /**
   * Why every commit is refused until the panel restarts: a write to the WAL or the audit ledger
   * failed and could not be cut back (RTT_ERR_WAL_UNWRITABLE); empty when writes work.
   */
  'writes_stopped'?: (string);
}

export interface PanelStatus__Output {
  /**
   * The daemon's process id.
   */
  'pid': (number);
  /**
   * The workspace root (the folder holding .rtt/).
   */
  'root': (string);
  /**
   * The socket this answer came over, as panel.yaml names it (unix://...).
   */
  'listen': (string);
  /**
   * When the daemon started, Unix epoch milliseconds.
   */
  'started_at_unix_ms': (number);
  /**
   * The WAL seq of the last committed topology (0: none yet).
   */
  'committed_seq': (number);
  /**
   * How many routes are wired.
   */
  'routes': (number);
  /**
   * The connector drivers the panel runs.
   */
  'drivers': (_rtt_panel_v1_DriverStatus__Output)[];
  /**
   * The panel's version (the CLI's package version).
   */
  'version': (string);
  /**
   * The live topology as JSON ({"format":"rtt.topology/v1","edges":{...}}): what a plan made
   * for this panel diffs against.
   */
  'topology_json': (string);
  /**
   * What the panel found wrong with the audit ledger when it started (chain, head signature or
   * WAL anchors: docs/adr/0019-audit-identity.md); empty when nothing.
   */
  'audit_problem': (string);
  /**
   * The sandbox the drivers run in (docs/adr/0023-driver-sandbox.md).
   */
  'sandbox': (_rtt_panel_v1_SandboxStatus__Output | null);
  /**
   * Why every commit is refused until the panel restarts: a write to the WAL or the audit ledger
   * failed and could not be cut back (RTT_ERR_WAL_UNWRITABLE); empty when writes work.
   */
  'writes_stopped': (string);
}
