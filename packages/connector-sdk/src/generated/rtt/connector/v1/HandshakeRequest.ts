// Original file: proto/rtt/v1/connector.proto

import type { ControlLanes as _rtt_connector_v1_ControlLanes, ControlLanes__Output as _rtt_connector_v1_ControlLanes__Output } from '../../../rtt/connector/v1/ControlLanes.ts';
import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from '../../../rtt/connector/v1/LaneAddress.ts';

export interface HandshakeRequest {
  /**
   * The source's link: the end of the route that will write the data lane.
   */
  'link_id'?: (string);
  /**
   * The target's control lanes, as its Offer with `handshake` returned them.
   */
  'control'?: (_rtt_connector_v1_ControlLanes | null);
  /**
   * The data lane the target offered. BIND carries it (its only lane), so the target checks
   * that the handshake is for the lane it listens on; the lane itself is connected later, by
   * Bind.
   */
  'data'?: (_rtt_connector_v1_LaneAddress | null);
  /**
   * The target's concrete address, as planned (named in errors; the contract hash covers it).
   */
  'expect_saddr'?: (string);
  /**
   * The target's contract hash the route was planned against; a target with another one
   * refuses the SYN (RTT_ERR_QC_REFUSED, reason contract-mismatch).
   */
  'expect_contract_hash'?: (string);
  /**
   * Capabilities the source offers (a-z 0-9 . _ -).
   */
  'caps'?: (string)[];
  /**
   * Capabilities the target must offer, or it refuses (reason caps-missing).
   */
  'require'?: (string)[];
  /**
   * Names this attempt (8 to 128 of A-Z a-z 0-9 _ -; empty = a random one). A Handshake
   * repeated with the same nonce on the same link gets the first one's answer, success or
   * error, without a second handshake.
   */
  'nonce'?: (string);
  /**
   * Deadline of the whole handshake in milliseconds; 0 = 5000. Past it the handshake trips
   * with reason timeout (RTT_ERR_QC_TIMEOUT).
   */
  'timeout_ms'?: (number);
  /**
   * The route token the panel minted for this route (PASETO v4.public, ADR 0018), sent in the
   * SYN's `token`; empty = none. A target whose contract has auth mode "token" or "caps"
   * refuses a SYN without one that covers the route.
   */
  'route_token'?: (string);
}

export interface HandshakeRequest__Output {
  /**
   * The source's link: the end of the route that will write the data lane.
   */
  'link_id': (string);
  /**
   * The target's control lanes, as its Offer with `handshake` returned them.
   */
  'control': (_rtt_connector_v1_ControlLanes__Output | null);
  /**
   * The data lane the target offered. BIND carries it (its only lane), so the target checks
   * that the handshake is for the lane it listens on; the lane itself is connected later, by
   * Bind.
   */
  'data': (_rtt_connector_v1_LaneAddress__Output | null);
  /**
   * The target's concrete address, as planned (named in errors; the contract hash covers it).
   */
  'expect_saddr': (string);
  /**
   * The target's contract hash the route was planned against; a target with another one
   * refuses the SYN (RTT_ERR_QC_REFUSED, reason contract-mismatch).
   */
  'expect_contract_hash': (string);
  /**
   * Capabilities the source offers (a-z 0-9 . _ -).
   */
  'caps': (string)[];
  /**
   * Capabilities the target must offer, or it refuses (reason caps-missing).
   */
  'require': (string)[];
  /**
   * Names this attempt (8 to 128 of A-Z a-z 0-9 _ -; empty = a random one). A Handshake
   * repeated with the same nonce on the same link gets the first one's answer, success or
   * error, without a second handshake.
   */
  'nonce': (string);
  /**
   * Deadline of the whole handshake in milliseconds; 0 = 5000. Past it the handshake trips
   * with reason timeout (RTT_ERR_QC_TIMEOUT).
   */
  'timeout_ms': (number);
  /**
   * The route token the panel minted for this route (PASETO v4.public, ADR 0018), sent in the
   * SYN's `token`; empty = none. A target whose contract has auth mode "token" or "caps"
   * refuses a SYN without one that covers the route.
   */
  'route_token': (string);
}
