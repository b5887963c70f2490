// Original file: proto/rtt/v1/connector.proto


export interface BindResponse {
  /**
   * True when the link now reads an inbound lane.
   */
  'inbound_bound'?: (boolean);
  /**
   * True when the link now writes an outbound lane.
   */
  'outbound_bound'?: (boolean);
}

export interface BindResponse__Output {
  /**
   * True when the link now reads an inbound lane.
   */
  'inbound_bound': (boolean);
  /**
   * True when the link now writes an outbound lane.
   */
  'outbound_bound': (boolean);
}
