// Original file: proto/rtt/v1/connector.proto


export interface ShutdownRequest {
  /**
   * Why, for the driver's log.
   */
  'reason'?: (string);
}

export interface ShutdownRequest__Output {
  /**
   * Why, for the driver's log.
   */
  'reason': (string);
}
