// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface LinkState {
  /**
   * The connector whose driver holds the link, and the link's id there.
   */
  'driver'?: (string);
  'link'?: (string);
  /**
   * The driver's last health sample of the link.
   */
  'ok'?: (boolean);
  'err'?: (string);
  'frames_in'?: (number | string | Long);
  'frames_out'?: (number | string | Long);
  'qdepth'?: (number | string | Long);
}

export interface LinkState__Output {
  /**
   * The connector whose driver holds the link, and the link's id there.
   */
  'driver': (string);
  'link': (string);
  /**
   * The driver's last health sample of the link.
   */
  'ok': (boolean);
  'err': (string);
  'frames_in': (number);
  'frames_out': (number);
  'qdepth': (number);
}
