// Original file: proto/rtt/v1/connector.proto


export interface OpenLink {
  /**
   * The link's id, as Open returned it.
   */
  'link_id'?: (string);
  /**
   * The symbol it was opened for (normal form).
   */
  'saddr'?: (string);
}

export interface OpenLink__Output {
  /**
   * The link's id, as Open returned it.
   */
  'link_id': (string);
  /**
   * The symbol it was opened for (normal form).
   */
  'saddr': (string);
}
