// Original file: proto/rtt/v1/connector.proto


export interface CloseRequest {
  /**
   * The link to close; closing an unknown link is not an error (idempotent).
   */
  'link_id'?: (string);
}

export interface CloseRequest__Output {
  /**
   * The link to close; closing an unknown link is not an error (idempotent).
   */
  'link_id': (string);
}
