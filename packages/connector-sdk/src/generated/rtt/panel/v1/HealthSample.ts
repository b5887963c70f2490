// Original file: proto/rtt/v1/panel.proto

import type { LinkState as _rtt_panel_v1_LinkState, LinkState__Output as _rtt_panel_v1_LinkState__Output } from '../../../rtt/panel/v1/LinkState.ts';
import type { Long } from '@grpc/proto-loader';

export interface HealthSample {
  /**
   * The route's id.
   */
  'route'?: (string);
  /**
   * The route's p95 latency over the panel's window, in milliseconds (from the drivers' samples).
   */
  'p95_ms'?: (number | string);
  /**
   * Errors per frame over the panel's window, 0..1.
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
  /**
   * The route's circuit breaker: "closed", "open" or "half-open".
   */
  'breaker'?: (string);
  /**
   * Why the breaker is in that state (its last transition).
   */
  'breaker_reason'?: (string);
  /**
   * p50 latency over the window, in milliseconds.
   */
  'p50_ms'?: (number | string);
  /**
   * p99 latency over the window, in milliseconds.
   */
  'p99_ms'?: (number | string);
  /**
   * Frames per second the source sent, over the window.
   */
  'throughput'?: (number | string);
  /**
   * Frames the route's QoS kept from the target over the window: the source's drops and
   * nack refusals.
   */
  'drops'?: (number | string | Long);
}

export interface HealthSample__Output {
  /**
   * The route's id.
   */
  'route': (string);
  /**
   * The route's p95 latency over the panel's window, in milliseconds (from the drivers' samples).
   */
  'p95_ms': (number);
  /**
   * Errors per frame over the panel's window, 0..1.
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
  /**
   * The route's circuit breaker: "closed", "open" or "half-open".
   */
  'breaker': (string);
  /**
   * Why the breaker is in that state (its last transition).
   */
  'breaker_reason': (string);
  /**
   * p50 latency over the window, in milliseconds.
   */
  'p50_ms': (number);
  /**
   * p99 latency over the window, in milliseconds.
   */
  'p99_ms': (number);
  /**
   * Frames per second the source sent, over the window.
   */
  'throughput': (number);
  /**
   * Frames the route's QoS kept from the target over the window: the source's drops and
   * nack refusals.
   */
  'drops': (number);
}
