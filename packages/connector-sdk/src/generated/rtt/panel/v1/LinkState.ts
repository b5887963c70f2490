// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface LinkState {
  /**
   * The connector whose driver holds the link, and the link's id there.
   */
  'driver'?: (string);
  /**
   * The link's id in that driver.
   */
  'link'?: (string);
  /**
   * The driver's last health sample of the link: whether the link works,
   */
  'ok'?: (boolean);
  /**
   * why not (empty when ok),
   */
  'err'?: (string);
  /**
   * frames received,
   */
  'frames_in'?: (number | string | Long);
  /**
   * frames sent,
   */
  'frames_out'?: (number | string | Long);
  /**
   * and frames queued, not yet delivered.
   */
  'qdepth'?: (number | string | Long);
  /**
   * The route's admission at this end (the source; 0 elsewhere): chunks dropped so far,
   */
  'drops'?: (number | string | Long);
  /**
   * sent over the rate with the congestion mark so far,
   */
  'marked'?: (number | string | Long);
  /**
   * refused (nack) so far,
   */
  'nacked'?: (number | string | Long);
  /**
   * and queued by the buffer policy now.
   */
  'buffered'?: (number | string | Long);
  /**
   * Messages the symbol failed so far (connection refused, timeout, 5xx, a program's non-zero
   * exit or broken stdin): the route's errors,
   */
  'errors'?: (number | string | Long);
  /**
   * and those it refused as the sender's fault (4xx), counted apart.
   */
  'client_errors'?: (number | string | Long);
  /**
   * Fan-out (ADR 0025): routes whose source links share this end's program, this route
   * included: 1 while it is alone, 0 for an end that never shares (a target, a
   * request/response source).
   */
  'shared'?: (number);
  /**
   * Messages this end's program took and lost unacknowledged so far: it died (non-zero, or by
   * a signal) holding them (ADR 0024).
   */
  'unaccounted'?: (number | string | Long);
}

export interface LinkState__Output {
  /**
   * The connector whose driver holds the link, and the link's id there.
   */
  'driver': (string);
  /**
   * The link's id in that driver.
   */
  'link': (string);
  /**
   * The driver's last health sample of the link: whether the link works,
   */
  'ok': (boolean);
  /**
   * why not (empty when ok),
   */
  'err': (string);
  /**
   * frames received,
   */
  'frames_in': (number);
  /**
   * frames sent,
   */
  'frames_out': (number);
  /**
   * and frames queued, not yet delivered.
   */
  'qdepth': (number);
  /**
   * The route's admission at this end (the source; 0 elsewhere): chunks dropped so far,
   */
  'drops': (number);
  /**
   * sent over the rate with the congestion mark so far,
   */
  'marked': (number);
  /**
   * refused (nack) so far,
   */
  'nacked': (number);
  /**
   * and queued by the buffer policy now.
   */
  'buffered': (number);
  /**
   * Messages the symbol failed so far (connection refused, timeout, 5xx, a program's non-zero
   * exit or broken stdin): the route's errors,
   */
  'errors': (number);
  /**
   * and those it refused as the sender's fault (4xx), counted apart.
   */
  'client_errors': (number);
  /**
   * Fan-out (ADR 0025): routes whose source links share this end's program, this route
   * included: 1 while it is alone, 0 for an end that never shares (a target, a
   * request/response source).
   */
  'shared': (number);
  /**
   * Messages this end's program took and lost unacknowledged so far: it died (non-zero, or by
   * a signal) holding them (ADR 0024).
   */
  'unaccounted': (number);
}
