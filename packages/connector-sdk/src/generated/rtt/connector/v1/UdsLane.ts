// Original file: proto/rtt/v1/connector.proto


export interface UdsLane {
  /**
   * The socket path (a file in a private folder; never a Linux abstract name).
   */
  'path'?: (string);
}

export interface UdsLane__Output {
  /**
   * The socket path (a file in a private folder; never a Linux abstract name).
   */
  'path': (string);
}
