// Original file: proto/rtt/v1/connector.proto


export interface ThrottleRequest {
  /**
   * The link whose outbound side is bounded.
   */
  'link_id'?: (string);
  /**
   * Chunks the outbound may send per window; 0 lifts the bound.
   */
  'per_window'?: (number);
  /**
   * The window, in ms (at least 1 when per_window is set).
   */
  'window_ms'?: (number);
}

export interface ThrottleRequest__Output {
  /**
   * The link whose outbound side is bounded.
   */
  'link_id': (string);
  /**
   * Chunks the outbound may send per window; 0 lifts the bound.
   */
  'per_window': (number);
  /**
   * The window, in ms (at least 1 when per_window is set).
   */
  'window_ms': (number);
}
