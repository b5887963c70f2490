// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A route's old target, retired after a move: its link closed, its program drained.
 */
export interface RetiredTarget {
  /**
   * The target's address,
   */
  'to'?: (string);
  /**
   * and its link (`driver/link`).
   */
  'link'?: (string);
  /**
   * "exited" (by itself after EOF), "terminated" or "killed".
   */
  'ended'?: (string);
  /**
   * Its exit code; -1 when it has none.
   */
  'code'?: (number);
  /**
   * The signal that ended it, or "".
   */
  'signal'?: (string);
  /**
   * Frames its program's input took,
   */
  'frames'?: (number | string | Long);
  /**
   * and of those, the ones it did not acknowledge (it did not exit 0 after EOF).
   */
  'unaccounted'?: (number | string | Long);
  /**
   * When it was retired (ISO 8601).
   */
  'at'?: (string);
}

/**
 * A route's old target, retired after a move: its link closed, its program drained.
 */
export interface RetiredTarget__Output {
  /**
   * The target's address,
   */
  'to': (string);
  /**
   * and its link (`driver/link`).
   */
  'link': (string);
  /**
   * "exited" (by itself after EOF), "terminated" or "killed".
   */
  'ended': (string);
  /**
   * Its exit code; -1 when it has none.
   */
  'code': (number);
  /**
   * The signal that ended it, or "".
   */
  'signal': (string);
  /**
   * Frames its program's input took,
   */
  'frames': (number);
  /**
   * and of those, the ones it did not acknowledge (it did not exit 0 after EOF).
   */
  'unaccounted': (number);
  /**
   * When it was retired (ISO 8601).
   */
  'at': (string);
}
