// Original file: proto/rtt/v1/panel.proto

import type { LinkState as _rtt_panel_v1_LinkState, LinkState__Output as _rtt_panel_v1_LinkState__Output } from '../../../rtt/panel/v1/LinkState.ts';
import type { Long } from '@grpc/proto-loader';

export interface HealthSample {
  /**
   * The route's id.
   */
  'route'?: (string);
  /**
   * Latency estimate in milliseconds: the larger link lag the ends report (0 when none does),
   * until the panel aggregates a real p95.
   */
  'p95_ms'?: (number | string);
  /**
   * 0 when both ends are ok, else 1, until the panel aggregates a real error rate.
   */
  'err_rate'?: (number | string);
  /**
   * Frames queued on both ends, not yet delivered.
   */
  'qdepth'?: (number | string | Long);
  /**
   * Both ends answered a health sample and say ok.
   */
  'ok'?: (boolean);
  /**
   * What is wrong when not ok (empty when ok).
   */
  'err'?: (string);
  /**
   * When the sample was taken, Unix epoch milliseconds.
   */
  'at_unix_ms'?: (number | string | Long);
  /**
   * The source's link as its driver sampled it.
   */
  'from_link'?: (_rtt_panel_v1_LinkState | null);
  /**
   * The target's link as its driver sampled it.
   */
  'to_link'?: (_rtt_panel_v1_LinkState | null);
}

export interface HealthSample__Output {
  /**
   * The route's id.
   */
  'route': (string);
  /**
   * Latency estimate in milliseconds: the larger link lag the ends report (0 when none does),
   * until the panel aggregates a real p95.
   */
  'p95_ms': (number);
  /**
   * 0 when both ends are ok, else 1, until the panel aggregates a real error rate.
   */
  'err_rate': (number);
  /**
   * Frames queued on both ends, not yet delivered.
   */
  'qdepth': (number);
  /**
   * Both ends answered a health sample and say ok.
   */
  'ok': (boolean);
  /**
   * What is wrong when not ok (empty when ok).
   */
  'err': (string);
  /**
   * When the sample was taken, Unix epoch milliseconds.
   */
  'at_unix_ms': (number);
  /**
   * The source's link as its driver sampled it.
   */
  'from_link': (_rtt_panel_v1_LinkState__Output | null);
  /**
   * The target's link as its driver sampled it.
   */
  'to_link': (_rtt_panel_v1_LinkState__Output | null);
}
