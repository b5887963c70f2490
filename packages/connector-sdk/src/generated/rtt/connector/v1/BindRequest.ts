// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

export interface BindRequest {
  /**
   * The link to bind.
   */
  'link_id'?: (string);
  /**
   * Lane whose frames go to the symbol (via tx); absent = the link receives nothing.
   */
  'inbound'?: (_rtt_connector_v1_LaneAddress | null);
  /**
   * Lane that carries what the symbol produces (from rx); absent = nothing is sent.
   */
  'outbound'?: (_rtt_connector_v1_LaneAddress | null);
}

export interface BindRequest__Output {
  /**
   * The link to bind.
   */
  'link_id': (string);
  /**
   * Lane whose frames go to the symbol (via tx); absent = the link receives nothing.
   */
  'inbound': (_rtt_connector_v1_LaneAddress__Output | null);
  /**
   * Lane that carries what the symbol produces (from rx); absent = nothing is sent.
   */
  'outbound': (_rtt_connector_v1_LaneAddress__Output | null);
}
