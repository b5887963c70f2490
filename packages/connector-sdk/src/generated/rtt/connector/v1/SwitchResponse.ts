// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface SwitchResponse {
  /**
   * Sequence number of the EOS frame written on the old lane (0 when there was none).
   */
  'old_eos_seq'?: (number | string | Long);
  /**
   * DATA frames the old lane carried for this link before EOS.
   */
  'old_frames'?: (number | string | Long);
}

export interface SwitchResponse__Output {
  /**
   * Sequence number of the EOS frame written on the old lane (0 when there was none).
   */
  'old_eos_seq': (number);
  /**
   * DATA frames the old lane carried for this link before EOS.
   */
  'old_frames': (number);
}
