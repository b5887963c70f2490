// Original file: proto/rtt/v1/connector.proto


export interface OpenResponse {
  /**
   * The handle of the new link in every later call; unique within this driver process.
   */
  'link_id'?: (string);
}

export interface OpenResponse__Output {
  /**
   * The handle of the new link in every later call; unique within this driver process.
   */
  'link_id': (string);
}
