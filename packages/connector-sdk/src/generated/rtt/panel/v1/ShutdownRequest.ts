// Original file: proto/rtt/v1/panel.proto


export interface ShutdownRequest {
  /**
   * Why, for the panel's log.
   */
  'reason'?: (string);
}

export interface ShutdownRequest__Output {
  /**
   * Why, for the panel's log.
   */
  'reason': (string);
}
