// Original file: proto/rtt/v1/connector.proto


export interface CloseResponse {
  /**
   * False when the link was not open (already closed or never opened).
   */
  'closed'?: (boolean);
}

export interface CloseResponse__Output {
  /**
   * False when the link was not open (already closed or never opened).
   */
  'closed': (boolean);
}
