// Original file: proto/rtt/v1/connector.proto


export interface OpenRequest {
  /**
   * The concrete address of the symbol to open.
   */
  'saddr'?: (string);
  /**
   * Its contract as JSON; empty means "the one my last Probe returned for saddr".
   */
  'contract_json'?: (string);
  /**
   * Route parameters for the connector (framing, timeouts, ...), connector-specific.
   */
  'params'?: ({[key: string]: string});
}

export interface OpenRequest__Output {
  /**
   * The concrete address of the symbol to open.
   */
  'saddr': (string);
  /**
   * Its contract as JSON; empty means "the one my last Probe returned for saddr".
   */
  'contract_json': (string);
  /**
   * Route parameters for the connector (framing, timeouts, ...), connector-specific.
   */
  'params': ({[key: string]: string});
}
