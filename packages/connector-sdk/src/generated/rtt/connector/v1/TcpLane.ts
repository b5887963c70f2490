// Original file: proto/rtt/v1/connector.proto


export interface TcpLane {
  /**
   * A loopback address (127.0.0.0/8 or ::1); anything else is refused.
   */
  'host'?: (string);
  /**
   * The listening port.
   */
  'port'?: (number);
}

export interface TcpLane__Output {
  /**
   * A loopback address (127.0.0.0/8 or ::1); anything else is refused.
   */
  'host': (string);
  /**
   * The listening port.
   */
  'port': (number);
}
