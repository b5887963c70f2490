// Original file: proto/rtt/v1/connector.proto

import type { OpenLink as _rtt_connector_v1_OpenLink, OpenLink__Output as _rtt_connector_v1_OpenLink__Output } from '../../../rtt/connector/v1/OpenLink.ts';

export interface ListLinksResponse {
  /**
   * Every open link, in the order they were opened.
   */
  'links'?: (_rtt_connector_v1_OpenLink)[];
}

export interface ListLinksResponse__Output {
  /**
   * Every open link, in the order they were opened.
   */
  'links': (_rtt_connector_v1_OpenLink__Output)[];
}
