// Original file: proto/rtt/v1/connector.proto


export interface ShutdownResponse {
  /**
   * Links that were closed.
   */
  'closed_links'?: (number);
}

export interface ShutdownResponse__Output {
  /**
   * Links that were closed.
   */
  'closed_links': (number);
}
