// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface RxChunk {
  /**
   * One chunk as the connector's rx produced it.
   */
  'bytes'?: (Buffer | Uint8Array | string);
  /**
   * Its position among the link's chunks (1-based, counted across all consumers).
   */
  'index'?: (number | string | Long);
  /**
   * The correlation id rx gave it (0 = none), as the outbound lane's frame carries it.
   */
  'correlation'?: (number | string | Long);
}

export interface RxChunk__Output {
  /**
   * One chunk as the connector's rx produced it.
   */
  'bytes': (Buffer);
  /**
   * Its position among the link's chunks (1-based, counted across all consumers).
   */
  'index': (number);
  /**
   * The correlation id rx gave it (0 = none), as the outbound lane's frame carries it.
   */
  'correlation': (number);
}
