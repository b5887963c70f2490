// Original file: proto/rtt/v1/panel.proto


export interface ShutdownResponse {
  /**
   * The daemon's pid, so the caller can wait for it to exit.
   */
  'pid'?: (number);
}

export interface ShutdownResponse__Output {
  /**
   * The daemon's pid, so the caller can wait for it to exit.
   */
  'pid': (number);
}
