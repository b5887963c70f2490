// Original file: proto/rtt/v1/connector.proto


export interface RxRequest {
  /**
   * The link to read from.
   */
  'link_id'?: (string);
  /**
   * End the stream after this many chunks; 0 = until cancelled or the link closes.
   */
  'max'?: (number);
}

export interface RxRequest__Output {
  /**
   * The link to read from.
   */
  'link_id': (string);
  /**
   * End the stream after this many chunks; 0 = until cancelled or the link closes.
   */
  'max': (number);
}
