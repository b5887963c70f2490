// Original file: proto/rtt/v1/panel.proto

import type { LinkState as _rtt_panel_v1_LinkState, LinkState__Output as _rtt_panel_v1_LinkState__Output } from '../../../rtt/panel/v1/LinkState.ts';
import type { RetiredTarget as _rtt_panel_v1_RetiredTarget, RetiredTarget__Output as _rtt_panel_v1_RetiredTarget__Output } from '../../../rtt/panel/v1/RetiredTarget.ts';

export interface LiveRoute {
  /**
   * The route's id in routes.json.
   */
  'id'?: (string);
  /**
   * Both ends' addresses.
   */
  'from'?: (string);
  /**
   * The target's address.
   */
  'to'?: (string);
  /**
   * The lane kind ("shm", "uds", "tcp", "inproc").
   */
  'lane'?: (string);
  /**
   * The pattern ("oneway", "reqrep").
   */
  'pattern'?: (string);
  /**
   * The source's link.
   */
  'from_link'?: (_rtt_panel_v1_LinkState | null);
  /**
   * The target's link.
   */
  'to_link'?: (_rtt_panel_v1_LinkState | null);
  /**
   * The route's circuit breaker: "closed", "open" or "half-open" ("" before its first sample).
   */
  'breaker'?: (string);
  /**
   * True while the route is held: tripped with nowhere to go, its source parked (its frames
   * wait there under its QoS).
   */
  'held'?: (boolean);
  /**
   * Targets moves took the route off, last few first to last, and how their programs ended
   * (ADR 0024).
   */
  'retired'?: (_rtt_panel_v1_RetiredTarget)[];
}

export interface LiveRoute__Output {
  /**
   * The route's id in routes.json.
   */
  'id': (string);
  /**
   * Both ends' addresses.
   */
  'from': (string);
  /**
   * The target's address.
   */
  'to': (string);
  /**
   * The lane kind ("shm", "uds", "tcp", "inproc").
   */
  'lane': (string);
  /**
   * The pattern ("oneway", "reqrep").
   */
  'pattern': (string);
  /**
   * The source's link.
   */
  'from_link': (_rtt_panel_v1_LinkState__Output | null);
  /**
   * The target's link.
   */
  'to_link': (_rtt_panel_v1_LinkState__Output | null);
  /**
   * The route's circuit breaker: "closed", "open" or "half-open" ("" before its first sample).
   */
  'breaker': (string);
  /**
   * True while the route is held: tripped with nowhere to go, its source parked (its frames
   * wait there under its QoS).
   */
  'held': (boolean);
  /**
   * Targets moves took the route off, last few first to last, and how their programs ended
   * (ADR 0024).
   */
  'retired': (_rtt_panel_v1_RetiredTarget__Output)[];
}
