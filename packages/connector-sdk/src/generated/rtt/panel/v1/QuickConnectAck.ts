// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface QuickConnectAck {
  /**
   * The route's id.
   */
  'route'?: (string);
  /**
   * False when the route already had that target (nothing was done).
   */
  'changed'?: (boolean);
  /**
   * The WAL seq of the switch's commit (the current one when nothing changed).
   */
  'committed_seq'?: (number | string | Long);
  /**
   * Frames the old target received before its EOS.
   */
  'old_frames'?: (number | string | Long);
  /**
   * The route's target before the swap.
   */
  'old_to'?: (string);
  /**
   * The route's target after the swap.
   */
  'new_to'?: (string);
  /**
   * True when the new target was an armed warm spare (prebound for the route's failover set, or
   * left by a recent swap): no link opened, no handshake, the Switch and the commit only.
   */
  'warm'?: (boolean);
  /**
   * Microseconds the panel spent on the call, from taking the request to answering it: the
   * flip without the client's transport (as Envoy's upstream service time).
   */
  'panel_us'?: (number | string | Long);
}

export interface QuickConnectAck__Output {
  /**
   * The route's id.
   */
  'route': (string);
  /**
   * False when the route already had that target (nothing was done).
   */
  'changed': (boolean);
  /**
   * The WAL seq of the switch's commit (the current one when nothing changed).
   */
  'committed_seq': (number);
  /**
   * Frames the old target received before its EOS.
   */
  'old_frames': (number);
  /**
   * The route's target before the swap.
   */
  'old_to': (string);
  /**
   * The route's target after the swap.
   */
  'new_to': (string);
  /**
   * True when the new target was an armed warm spare (prebound for the route's failover set, or
   * left by a recent swap): no link opened, no handshake, the Switch and the commit only.
   */
  'warm': (boolean);
  /**
   * Microseconds the panel spent on the call, from taking the request to answering it: the
   * flip without the client's transport (as Envoy's upstream service time).
   */
  'panel_us': (number);
}
