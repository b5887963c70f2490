// Original file: proto/rtt/v1/connector.proto


/**
 * What the two ends agreed in ACK, once the target answered READY.
 */
export interface HandshakeResponse {
  /**
   * The handshake's nonce (the one asked for, or the one chosen).
   */
  'nonce'?: (string);
  /**
   * Capabilities both ends offer, sorted.
   */
  'caps'?: (string)[];
  /**
   * The data lane kind: "shm", "uds", "tcp" or "inproc".
   */
  'lane'?: (string);
  /**
   * Ring bytes of an shm data lane; 0 for the other kinds.
   */
  'capacity'?: (number);
  /**
   * The largest payload of one frame on the link.
   */
  'max_frame'?: (number);
  /**
   * The heartbeat interval both ends agreed on, in milliseconds.
   */
  'heartbeat_ms'?: (number);
}

/**
 * What the two ends agreed in ACK, once the target answered READY.
 */
export interface HandshakeResponse__Output {
  /**
   * The handshake's nonce (the one asked for, or the one chosen).
   */
  'nonce': (string);
  /**
   * Capabilities both ends offer, sorted.
   */
  'caps': (string)[];
  /**
   * The data lane kind: "shm", "uds", "tcp" or "inproc".
   */
  'lane': (string);
  /**
   * Ring bytes of an shm data lane; 0 for the other kinds.
   */
  'capacity': (number);
  /**
   * The largest payload of one frame on the link.
   */
  'max_frame': (number);
  /**
   * The heartbeat interval both ends agreed on, in milliseconds.
   */
  'heartbeat_ms': (number);
}
