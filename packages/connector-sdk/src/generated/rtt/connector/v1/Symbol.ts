// Original file: proto/rtt/v1/connector.proto


export interface Symbol {
  /**
   * Normal form of the symbol's concrete address (rtt://ns/type/name@1.2.3...).
   */
  'saddr'?: (string);
  /**
   * The symbol type (api, proc, file, ...), as in the contract.
   */
  'type'?: (string);
  /**
   * provider | consumer | both, as in the contract.
   */
  'direction'?: (string);
  /**
   * The whole contract as JSON (the manifest's `symbol` object).
   */
  'contract_json'?: (string);
  /**
   * Lowercase hex SHA-256 of the RFC 8785 canonical contract (tags and x- keys excluded),
   * the same hash the catalog computes.
   */
  'contract_hash'?: (string);
}

export interface Symbol__Output {
  /**
   * Normal form of the symbol's concrete address (rtt://ns/type/name@1.2.3...).
   */
  'saddr': (string);
  /**
   * The symbol type (api, proc, file, ...), as in the contract.
   */
  'type': (string);
  /**
   * provider | consumer | both, as in the contract.
   */
  'direction': (string);
  /**
   * The whole contract as JSON (the manifest's `symbol` object).
   */
  'contract_json': (string);
  /**
   * Lowercase hex SHA-256 of the RFC 8785 canonical contract (tags and x- keys excluded),
   * the same hash the catalog computes.
   */
  'contract_hash': (string);
}
