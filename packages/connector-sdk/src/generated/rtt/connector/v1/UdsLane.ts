// Original file: proto/rtt/v1/connector.proto


export interface UdsLane {
  /**
   * The socket path, or "\0name" for a Linux abstract socket.
   */
  'path'?: (string);
}

export interface UdsLane__Output {
  /**
   * The socket path, or "\0name" for a Linux abstract socket.
   */
  'path': (string);
}
