// Original file: proto/rtt/v1/panel.proto


export interface BreakerRequest {
  /**
   * The route's id (`route/<id>` is accepted too).
   */
  'route'?: (string);
  /**
   * Who asks and why, for the audit ledger.
   */
  'who'?: (string);
  'why'?: (string);
}

export interface BreakerRequest__Output {
  /**
   * The route's id (`route/<id>` is accepted too).
   */
  'route': (string);
  /**
   * Who asks and why, for the audit ledger.
   */
  'who': (string);
  'why': (string);
}
