// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

export interface SwitchRequest {
  /**
   * The link whose outbound side moves.
   */
  'link_id'?: (string);
  /**
   * The lane to continue on; its listener must be waiting. Absent: park the outbound (a held
   * route) — EOS on the old lane and no new one; chunks wait at the source, under its QoS
   * (buffered, then the producer paused), until a Switch to a lane.
   */
  'outbound'?: (_rtt_connector_v1_LaneAddress | null);
}

export interface SwitchRequest__Output {
  /**
   * The link whose outbound side moves.
   */
  'link_id': (string);
  /**
   * The lane to continue on; its listener must be waiting. Absent: park the outbound (a held
   * route) — EOS on the old lane and no new one; chunks wait at the source, under its QoS
   * (buffered, then the producer paused), until a Switch to a lane.
   */
  'outbound': (_rtt_connector_v1_LaneAddress__Output | null);
}
