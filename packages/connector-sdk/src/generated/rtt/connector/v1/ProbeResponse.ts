// Original file: proto/rtt/v1/connector.proto

import type { Symbol as _rtt_connector_v1_Symbol, Symbol__Output as _rtt_connector_v1_Symbol__Output } from '../../../rtt/connector/v1/Symbol.ts';

export interface ProbeResponse {
  /**
   * The symbols found, in the driver's order (the host sorts if it needs to).
   */
  'symbols'?: (_rtt_connector_v1_Symbol)[];
}

export interface ProbeResponse__Output {
  /**
   * The symbols found, in the driver's order (the host sorts if it needs to).
   */
  'symbols': (_rtt_connector_v1_Symbol__Output)[];
}
