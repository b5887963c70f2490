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
  /**
   * With `handshake`: the route this link is the target of. When the link's contract has auth
   * mode "token" or "caps", the SYN must carry a route token signed by `panel_key` for this
   * route and both ends' addresses (action qc), or the target refuses it (RTT_ERR_QC_REFUSED,
   * reason unauthorized); without route_id and panel_key such a link refuses the Offer
   * (RTT_ERR_TOKEN). Ignored for other auth modes.
   */
  'route_id'?: (string);
  /**
   * With `route_id`: the panel's Ed25519 public key, its raw 32 bytes. The target trusts it as
   * it trusts the rest of this call: it comes over the panel's own channel to the driver.
   */
  'panel_key'?: (Buffer | Uint8Array | string);
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
  /**
   * With `handshake`: the route this link is the target of. When the link's contract has auth
   * mode "token" or "caps", the SYN must carry a route token signed by `panel_key` for this
   * route and both ends' addresses (action qc), or the target refuses it (RTT_ERR_QC_REFUSED,
   * reason unauthorized); without route_id and panel_key such a link refuses the Offer
   * (RTT_ERR_TOKEN). Ignored for other auth modes.
   */
  'route_id': (string);
  /**
   * With `route_id`: the panel's Ed25519 public key, its raw 32 bytes. The target trusts it as
   * it trusts the rest of this call: it comes over the panel's own channel to the driver.
   */
  'panel_key': (Buffer);
}
