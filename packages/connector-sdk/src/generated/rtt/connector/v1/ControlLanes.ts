// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

/**
 * The two lanes of a QuickConnect control link, both listened on by the responder (the target
 * end of the route). Uds for shm data lanes (a control link needs no ring), else the data kind.
 */
export interface ControlLanes {
  /**
   * The lane the initiator writes SYN and BIND on (the responder reads it).
   */
  'requests'?: (_rtt_connector_v1_LaneAddress | null);
  /**
   * The lane the responder writes ACK, READY and TRIP on (the initiator reads it).
   */
  'answers'?: (_rtt_connector_v1_LaneAddress | null);
}

/**
 * The two lanes of a QuickConnect control link, both listened on by the responder (the target
 * end of the route). Uds for shm data lanes (a control link needs no ring), else the data kind.
 */
export interface ControlLanes__Output {
  /**
   * The lane the initiator writes SYN and BIND on (the responder reads it).
   */
  'requests': (_rtt_connector_v1_LaneAddress__Output | null);
  /**
   * The lane the responder writes ACK, READY and TRIP on (the initiator reads it).
   */
  'answers': (_rtt_connector_v1_LaneAddress__Output | null);
}
