// Original file: proto/rtt/v1/panel.proto


export interface RouteSpec {
  /**
   * The wired route to move: its id, or its source's address.
   */
  'from'?: (string);
  /**
   * The new target: a reference that resolves to exactly one catalog symbol.
   */
  'to'?: (string);
  /**
   * Reserved for per-swap parameters (none are read yet).
   */
  'params'?: ({[key: string]: string});
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who'?: (string);
}

export interface RouteSpec__Output {
  /**
   * The wired route to move: its id, or its source's address.
   */
  'from': (string);
  /**
   * The new target: a reference that resolves to exactly one catalog symbol.
   */
  'to': (string);
  /**
   * Reserved for per-swap parameters (none are read yet).
   */
  'params': ({[key: string]: string});
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who': (string);
}
