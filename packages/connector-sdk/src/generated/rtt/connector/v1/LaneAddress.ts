// Original file: proto/rtt/v1/connector.proto

import type { UdsLane as _rtt_connector_v1_UdsLane, UdsLane__Output as _rtt_connector_v1_UdsLane__Output } from '../../../rtt/connector/v1/UdsLane.ts';
import type { TcpLane as _rtt_connector_v1_TcpLane, TcpLane__Output as _rtt_connector_v1_TcpLane__Output } from '../../../rtt/connector/v1/TcpLane.ts';
import type { ShmLane as _rtt_connector_v1_ShmLane, ShmLane__Output as _rtt_connector_v1_ShmLane__Output } from '../../../rtt/connector/v1/ShmLane.ts';
import type { InprocLane as _rtt_connector_v1_InprocLane, InprocLane__Output as _rtt_connector_v1_InprocLane__Output } from '../../../rtt/connector/v1/InprocLane.ts';

/**
 * Where a lane's listening end waits; mirrors LaneAddress of @rtt/fabric. The driver always
 * connects: it is the reader of an inbound lane and the writer of an outbound one.
 */
export interface LaneAddress {
  /**
   * Frames on a Unix stream socket.
   */
  'uds'?: (_rtt_connector_v1_UdsLane | null);
  /**
   * Frames on a loopback TCP connection.
   */
  'tcp'?: (_rtt_connector_v1_TcpLane | null);
  /**
   * A shared-memory ring with a Unix-socket doorbell.
   */
  'shm'?: (_rtt_connector_v1_ShmLane | null);
  /**
   * A queue inside one process: only meaningful for a driver run in-process (tests).
   */
  'inproc'?: (_rtt_connector_v1_InprocLane | null);
  /**
   * Set by the lane's reader in the address its Offer returns: it takes batch frames (DATA
   * frames with flag BATCH, 4: a payload of 1 to 256 messages, each a u32 LE length, its
   * correlation as a u64 LE, its bytes). A writer sends them only to a lane whose address says
   * so; a reader that leaves it unset gets one message a frame. Not part of where the lane is:
   * two addresses that differ only here name the same lane.
   */
  'batches'?: (boolean);
  /**
   * Exactly one kind.
   */
  'kind'?: "uds"|"tcp"|"shm"|"inproc";
}

/**
 * Where a lane's listening end waits; mirrors LaneAddress of @rtt/fabric. The driver always
 * connects: it is the reader of an inbound lane and the writer of an outbound one.
 */
export interface LaneAddress__Output {
  /**
   * Frames on a Unix stream socket.
   */
  'uds'?: (_rtt_connector_v1_UdsLane__Output | null);
  /**
   * Frames on a loopback TCP connection.
   */
  'tcp'?: (_rtt_connector_v1_TcpLane__Output | null);
  /**
   * A shared-memory ring with a Unix-socket doorbell.
   */
  'shm'?: (_rtt_connector_v1_ShmLane__Output | null);
  /**
   * A queue inside one process: only meaningful for a driver run in-process (tests).
   */
  'inproc'?: (_rtt_connector_v1_InprocLane__Output | null);
  /**
   * Set by the lane's reader in the address its Offer returns: it takes batch frames (DATA
   * frames with flag BATCH, 4: a payload of 1 to 256 messages, each a u32 LE length, its
   * correlation as a u64 LE, its bytes). A writer sends them only to a lane whose address says
   * so; a reader that leaves it unset gets one message a frame. Not part of where the lane is:
   * two addresses that differ only here name the same lane.
   */
  'batches': (boolean);
  /**
   * Exactly one kind.
   */
  'kind'?: "uds"|"tcp"|"shm"|"inproc";
}
