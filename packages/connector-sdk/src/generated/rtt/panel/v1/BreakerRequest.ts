// Original file: proto/rtt/v1/panel.proto


export interface BreakerRequest {
  /**
   * The route's id (`route/<id>` is accepted too).
   */
  'route'?: (string);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who'?: (string);
  /**
   * Why, for the audit ledger.
   */
  'why'?: (string);
}

export interface BreakerRequest__Output {
  /**
   * The route's id (`route/<id>` is accepted too).
   */
  'route': (string);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who': (string);
  /**
   * Why, for the audit ledger.
   */
  'why': (string);
}
