// Original file: proto/rtt/v1/connector.proto

import type { LaneSide as _rtt_connector_v1_LaneSide, LaneSide__Output as _rtt_connector_v1_LaneSide__Output } from '../../../rtt/connector/v1/LaneSide.ts';

export interface OfferRequest {
  /**
   * The link to offer a lane for.
   */
  'link_id'?: (string);
  /**
   * INBOUND: the driver listens as the lane's reader; OUTBOUND: as its writer.
   */
  'side'?: (_rtt_connector_v1_LaneSide);
  /**
   * The lane kind to listen on: "shm", "uds" or "tcp" ("inproc" only in-process).
   */
  'kind'?: (string);
  /**
   * Ring bytes for shm (a power of two); 0 = the default.
   */
  'capacity'?: (number);
  /**
   * Also listen for the route's QuickConnect control lanes and answer its handshake as the
   * responder: a SYN must expect the hash of the contract this link was opened with, and the
   * BIND must name the lane this Offer returns. INBOUND only. The control lanes are closed when
   * the handshake ends (READY or a trip) or the link closes.
   */
  'handshake'?: (boolean);
}

export interface OfferRequest__Output {
  /**
   * The link to offer a lane for.
   */
  'link_id': (string);
  /**
   * INBOUND: the driver listens as the lane's reader; OUTBOUND: as its writer.
   */
  'side': (_rtt_connector_v1_LaneSide__Output);
  /**
   * The lane kind to listen on: "shm", "uds" or "tcp" ("inproc" only in-process).
   */
  'kind': (string);
  /**
   * Ring bytes for shm (a power of two); 0 = the default.
   */
  'capacity': (number);
  /**
   * Also listen for the route's QuickConnect control lanes and answer its handshake as the
   * responder: a SYN must expect the hash of the contract this link was opened with, and the
   * BIND must name the lane this Offer returns. INBOUND only. The control lanes are closed when
   * the handshake ends (READY or a trip) or the link closes.
   */
  'handshake': (boolean);
}
