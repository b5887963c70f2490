// Original file: proto/rtt/v1/connector.proto


export interface ShmLane {
  /**
   * Name of the shared-memory segment holding the ring.
   */
  'segment'?: (string);
  /**
   * The doorbell socket path.
   */
  'path'?: (string);
  /**
   * Ring bytes, a power of two.
   */
  'capacity'?: (number);
}

export interface ShmLane__Output {
  /**
   * Name of the shared-memory segment holding the ring.
   */
  'segment': (string);
  /**
   * The doorbell socket path.
   */
  'path': (string);
  /**
   * Ring bytes, a power of two.
   */
  'capacity': (number);
}
