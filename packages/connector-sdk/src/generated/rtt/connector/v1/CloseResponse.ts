// Original file: proto/rtt/v1/connector.proto

import type { ProgramDrain as _rtt_connector_v1_ProgramDrain, ProgramDrain__Output as _rtt_connector_v1_ProgramDrain__Output } from '../../../rtt/connector/v1/ProgramDrain.ts';

export interface CloseResponse {
  /**
   * False when the link was not open (already closed or never opened).
   */
  'closed'?: (boolean);
  /**
   * How the link's program ended, when the connector runs one (ADR 0024); absent otherwise.
   */
  'drain'?: (_rtt_connector_v1_ProgramDrain | null);
}

export interface CloseResponse__Output {
  /**
   * False when the link was not open (already closed or never opened).
   */
  'closed': (boolean);
  /**
   * How the link's program ended, when the connector runs one (ADR 0024); absent otherwise.
   */
  'drain': (_rtt_connector_v1_ProgramDrain__Output | null);
}
