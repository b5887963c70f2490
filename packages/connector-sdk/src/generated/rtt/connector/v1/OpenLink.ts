// Original file: proto/rtt/v1/connector.proto

import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

export interface OpenLink {
  /**
   * The link's id, as Open returned it.
   */
  'link_id'?: (string);
  /**
   * The symbol it was opened for (normal form).
   */
  'saddr'?: (string);
  /**
   * The lane the link's outbound side writes now (bound, switched to, or its Offer taken);
   * absent when it writes none (never bound, or parked). A restarted panel matches it against
   * the other links' `inbound` to learn which target each source is writing to, whatever its
   * WAL lost (docs/adr/0030-durability-contract.md).
   */
  'outbound'?: (_rtt_connector_v1_LaneAddress | null);
  /**
   * The lane the link's inbound side reads, or listens on for its peer (an Offer); absent when
   * none.
   */
  'inbound'?: (_rtt_connector_v1_LaneAddress | null);
}

export interface OpenLink__Output {
  /**
   * The link's id, as Open returned it.
   */
  'link_id': (string);
  /**
   * The symbol it was opened for (normal form).
   */
  'saddr': (string);
  /**
   * The lane the link's outbound side writes now (bound, switched to, or its Offer taken);
   * absent when it writes none (never bound, or parked). A restarted panel matches it against
   * the other links' `inbound` to learn which target each source is writing to, whatever its
   * WAL lost (docs/adr/0030-durability-contract.md).
   */
  'outbound': (_rtt_connector_v1_LaneAddress__Output | null);
  /**
   * The lane the link's inbound side reads, or listens on for its peer (an Offer); absent when
   * none.
   */
  'inbound': (_rtt_connector_v1_LaneAddress__Output | null);
}
