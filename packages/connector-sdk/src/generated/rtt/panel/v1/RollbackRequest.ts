// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface RollbackRequest {
  /**
   * A committed WAL seq (see `rtt rollback --list`).
   */
  'seq'?: (number | string | Long);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who'?: (string);
}

export interface RollbackRequest__Output {
  /**
   * A committed WAL seq (see `rtt rollback --list`).
   */
  'seq': (number);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who': (string);
}
