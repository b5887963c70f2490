// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';
import type { ControlLanes as _rtt_connector_v1_ControlLanes, ControlLanes__Output as _rtt_connector_v1_ControlLanes__Output } from '../../../rtt/connector/v1/ControlLanes.ts';

export interface OfferResponse {
  /**
   * Where the peer connects; the link's side is bound once it has.
   */
  'address'?: (_rtt_connector_v1_LaneAddress | null);
  /**
   * With `handshake`: where the initiator connects its control lanes; absent otherwise.
   */
  'control'?: (_rtt_connector_v1_ControlLanes | null);
}

export interface OfferResponse__Output {
  /**
   * Where the peer connects; the link's side is bound once it has.
   */
  'address': (_rtt_connector_v1_LaneAddress__Output | null);
  /**
   * With `handshake`: where the initiator connects its control lanes; absent otherwise.
   */
  'control': (_rtt_connector_v1_ControlLanes__Output | null);
}
