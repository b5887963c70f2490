// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface TxRequest {
  /**
   * The link to write to.
   */
  'link_id'?: (string);
  /**
   * The bytes, handed to the connector's tx as one call.
   */
  'bytes'?: (Buffer | Uint8Array | string);
  /**
   * The correlation id handed to tx with them (0 = none).
   */
  'correlation'?: (number | string | Long);
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
  /**
   * The correlation id handed to tx with them (0 = none).
   */
  'correlation': (number);
}
