// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

export interface OfferResponse {
  /**
   * Where the peer connects; the link's side is bound once it has.
   */
  'address'?: (_rtt_connector_v1_LaneAddress | null);
}

export interface OfferResponse__Output {
  /**
   * Where the peer connects; the link's side is bound once it has.
   */
  'address': (_rtt_connector_v1_LaneAddress__Output | null);
}
