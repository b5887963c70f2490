// Original file: proto/rtt/v1/panel.proto

import type { BatchResult as _rtt_panel_v1_BatchResult, BatchResult__Output as _rtt_panel_v1_BatchResult__Output } from '../../../rtt/panel/v1/BatchResult.ts';
import type { Long } from '@grpc/proto-loader';

export interface ApplyResult {
  /**
   * One per batch of the plan, in order.
   */
  'batches'?: (_rtt_panel_v1_BatchResult)[];
  /**
   * Routes created, replaced and deleted by committed batches.
   */
  'created'?: (number);
  /**
   * Routes replaced (unwired, then wired again) by committed batches.
   */
  'replaced'?: (number);
  /**
   * Routes unwired by committed batches.
   */
  'deleted'?: (number);
  /**
   * The WAL seq of the last commit after the apply.
   */
  'committed_seq'?: (number | string | Long);
  /**
   * Links closed because no committed route used them (a sweep ran after the apply).
   */
  'orphans_closed'?: (string)[];
}

export interface ApplyResult__Output {
  /**
   * One per batch of the plan, in order.
   */
  'batches': (_rtt_panel_v1_BatchResult__Output)[];
  /**
   * Routes created, replaced and deleted by committed batches.
   */
  'created': (number);
  /**
   * Routes replaced (unwired, then wired again) by committed batches.
   */
  'replaced': (number);
  /**
   * Routes unwired by committed batches.
   */
  'deleted': (number);
  /**
   * The WAL seq of the last commit after the apply.
   */
  'committed_seq': (number);
  /**
   * Links closed because no committed route used them (a sweep ran after the apply).
   */
  'orphans_closed': (string)[];
}
