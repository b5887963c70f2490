// Original file: proto/rtt/v1/panel.proto


export interface BreakerReply {
  /**
   * The route's id.
   */
  'route'?: (string);
  /**
   * The breaker's state after the call: "closed", "open" or "half-open".
   */
  'state'?: (string);
  /**
   * Why it is in that state.
   */
  'reason'?: (string);
}

export interface BreakerReply__Output {
  /**
   * The route's id.
   */
  'route': (string);
  /**
   * The breaker's state after the call: "closed", "open" or "half-open".
   */
  'state': (string);
  /**
   * Why it is in that state.
   */
  'reason': (string);
}
