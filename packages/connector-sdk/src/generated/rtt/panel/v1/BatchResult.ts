// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface BatchResult {
  /**
   * The route ids of this batch.
   */
  'routes'?: (string)[];
  /**
   * "committed", "rolled-back" (nothing of it stayed) or "skipped" (an earlier batch failed).
   */
  'outcome'?: (string);
  /**
   * The WAL seq of the batch's commit (0 unless committed).
   */
  'seq'?: (number | string | Long);
  /**
   * Why it rolled back: an RTT_ERR_* code and message.
   */
  'error_code'?: (string);
  /**
   * The RttError's message (empty unless rolled back).
   */
  'error_message'?: (string);
  /**
   * What the post-commit health check found wrong with a committed route (it stays wired).
   */
  'warnings'?: (string)[];
}

export interface BatchResult__Output {
  /**
   * The route ids of this batch.
   */
  'routes': (string)[];
  /**
   * "committed", "rolled-back" (nothing of it stayed) or "skipped" (an earlier batch failed).
   */
  'outcome': (string);
  /**
   * The WAL seq of the batch's commit (0 unless committed).
   */
  'seq': (number);
  /**
   * Why it rolled back: an RTT_ERR_* code and message.
   */
  'error_code': (string);
  /**
   * The RttError's message (empty unless rolled back).
   */
  'error_message': (string);
  /**
   * What the post-commit health check found wrong with a committed route (it stays wired).
   */
  'warnings': (string)[];
}
