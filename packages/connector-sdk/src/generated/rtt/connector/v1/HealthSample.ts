// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface HealthSample {
  /**
   * The link this sample is about; "" for the driver itself (proves the process answers).
   */
  'link_id'?: (string);
  /**
   * The connector's own verdict, false when any lane of the link failed too.
   */
  'ok'?: (boolean);
  /**
   * How far behind the symbol is, as the connector measures it (milliseconds).
   */
  'lag_ms'?: (number | string);
  /**
   * Why not ok; empty when ok.
   */
  'err'?: (string);
  /**
   * Inbound frames received but not yet handed to tx.
   */
  'qdepth'?: (number | string | Long);
  /**
   * DATA frames read from the inbound lane so far.
   */
  'frames_in'?: (number | string | Long);
  /**
   * DATA frames written to outbound lanes so far (all lanes of the link, across switches).
   */
  'frames_out'?: (number | string | Long);
  /**
   * Payload bytes read from the inbound lane.
   */
  'bytes_in'?: (number | string | Long);
  /**
   * Payload bytes written to outbound lanes.
   */
  'bytes_out'?: (number | string | Long);
  /**
   * When the sample was taken, milliseconds since the Unix epoch.
   */
  'at_unix_ms'?: (number | string | Long);
  /**
   * The route's admission (qos.* params; 0 on a link without it): chunks the drop policy
   * dropped (taildrop, or still queued when the link closed), so far.
   */
  'drops'?: (number | string | Long);
  /**
   * Chunks sent over the rate with FrameFlag.MARKED (mark), so far.
   */
  'marked'?: (number | string | Long);
  /**
   * Chunks refused (nack), so far.
   */
  'nacked'?: (number | string | Long);
  /**
   * Chunks queued by the buffer policy now, waiting for tokens.
   */
  'buffered'?: (number | string | Long);
  /**
   * Messages the symbol failed so far (connection refused, timeout, 5xx, a program's non-zero
   * exit or broken stdin): the route's errors, behind its error rate and breaker.
   */
  'errors'?: (number | string | Long);
  /**
   * Messages the symbol refused as the sender's fault (4xx) so far, counted apart.
   */
  'client_errors'?: (number | string | Long);
  /**
   * Fan-out (ADR 0025): how many routes' source links share this link's program (handle), this
   * one included: 1 while it is alone; 0 for a link that never shares (a target end, a
   * request/response source).
   */
  'shared'?: (number);
  /**
   * Messages the symbol took and lost unacknowledged so far: a program that died (non-zero, or
   * by a signal) holding them (ADR 0024).
   */
  'unaccounted'?: (number | string | Long);
}

export interface HealthSample__Output {
  /**
   * The link this sample is about; "" for the driver itself (proves the process answers).
   */
  'link_id': (string);
  /**
   * The connector's own verdict, false when any lane of the link failed too.
   */
  'ok': (boolean);
  /**
   * How far behind the symbol is, as the connector measures it (milliseconds).
   */
  'lag_ms': (number);
  /**
   * Why not ok; empty when ok.
   */
  'err': (string);
  /**
   * Inbound frames received but not yet handed to tx.
   */
  'qdepth': (number);
  /**
   * DATA frames read from the inbound lane so far.
   */
  'frames_in': (number);
  /**
   * DATA frames written to outbound lanes so far (all lanes of the link, across switches).
   */
  'frames_out': (number);
  /**
   * Payload bytes read from the inbound lane.
   */
  'bytes_in': (number);
  /**
   * Payload bytes written to outbound lanes.
   */
  'bytes_out': (number);
  /**
   * When the sample was taken, milliseconds since the Unix epoch.
   */
  'at_unix_ms': (number);
  /**
   * The route's admission (qos.* params; 0 on a link without it): chunks the drop policy
   * dropped (taildrop, or still queued when the link closed), so far.
   */
  'drops': (number);
  /**
   * Chunks sent over the rate with FrameFlag.MARKED (mark), so far.
   */
  'marked': (number);
  /**
   * Chunks refused (nack), so far.
   */
  'nacked': (number);
  /**
   * Chunks queued by the buffer policy now, waiting for tokens.
   */
  'buffered': (number);
  /**
   * Messages the symbol failed so far (connection refused, timeout, 5xx, a program's non-zero
   * exit or broken stdin): the route's errors, behind its error rate and breaker.
   */
  'errors': (number);
  /**
   * Messages the symbol refused as the sender's fault (4xx) so far, counted apart.
   */
  'client_errors': (number);
  /**
   * Fan-out (ADR 0025): how many routes' source links share this link's program (handle), this
   * one included: 1 while it is alone; 0 for a link that never shares (a target end, a
   * request/response source).
   */
  'shared': (number);
  /**
   * Messages the symbol took and lost unacknowledged so far: a program that died (non-zero, or
   * by a signal) holding them (ADR 0024).
   */
  'unaccounted': (number);
}
