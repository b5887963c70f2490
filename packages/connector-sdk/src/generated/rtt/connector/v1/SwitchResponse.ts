// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface SwitchResponse {
  /**
   * Sequence number of the EOS frame written on the old lane (0 when there was none).
   */
  'old_eos_seq'?: (number | string | Long);
  /**
   * Messages the old lane carried for this link before EOS: its DATA frames, a batch frame
   * (LaneAddress.batches) counting the messages it holds.
   */
  'old_frames'?: (number | string | Long);
}

export interface SwitchResponse__Output {
  /**
   * Sequence number of the EOS frame written on the old lane (0 when there was none).
   */
  'old_eos_seq': (number);
  /**
   * Messages the old lane carried for this link before EOS: its DATA frames, a batch frame
   * (LaneAddress.batches) counting the messages it holds.
   */
  'old_frames': (number);
}
