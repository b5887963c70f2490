// Original file: proto/rtt/v1/connector.proto


export interface TxRequest {
  /**
   * The link to write to.
   */
  'link_id'?: (string);
  /**
   * The bytes, handed to the connector's tx as one call.
   */
  'bytes'?: (Buffer | Uint8Array | string);
}

export interface TxRequest__Output {
  /**
   * The link to write to.
   */
  'link_id': (string);
  /**
   * The bytes, handed to the connector's tx as one call.
   */
  'bytes': (Buffer);
}
