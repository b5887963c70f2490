// Original file: proto/rtt/v1/connector.proto


export interface CloseRequest {
  /**
   * The link to close; closing an unknown link is not an error (idempotent).
   */
  'link_id'?: (string);
  /**
   * Leave what outlives a driver for the next link of the same route end: on a journaled
   * route (qos.journal) the symbol's program keeps running, adoptable by the next Open (ADR
   * 0016) — the panel's choice when it rewires a route whose other end's driver died. An end
   * with nothing adoptable closes as usual.
   */
  'detach'?: (boolean);
}

export interface CloseRequest__Output {
  /**
   * The link to close; closing an unknown link is not an error (idempotent).
   */
  'link_id': (string);
  /**
   * Leave what outlives a driver for the next link of the same route end: on a journaled
   * route (qos.journal) the symbol's program keeps running, adoptable by the next Open (ADR
   * 0016) — the panel's choice when it rewires a route whose other end's driver died. An end
   * with nothing adoptable closes as usual.
   */
  'detach': (boolean);
}
