// Original file: proto/rtt/v1/panel.proto

import type { LiveRoute as _rtt_panel_v1_LiveRoute, LiveRoute__Output as _rtt_panel_v1_LiveRoute__Output } from '../../../rtt/panel/v1/LiveRoute.ts';
import type { Long } from '@grpc/proto-loader';

export interface RouteList {
  /**
   * The wired routes, by id.
   */
  'routes'?: (_rtt_panel_v1_LiveRoute)[];
  /**
   * The WAL seq of the topology these routes are.
   */
  'committed_seq'?: (number | string | Long);
}

export interface RouteList__Output {
  /**
   * The wired routes, by id.
   */
  'routes': (_rtt_panel_v1_LiveRoute__Output)[];
  /**
   * The WAL seq of the topology these routes are.
   */
  'committed_seq': (number);
}
