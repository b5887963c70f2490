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
   * Route parameters for the connector (framing, timeouts, ...), connector-specific. Keys that
   * start with "qos." are the route's admission QoS, read by the driver runtime and not passed
   * to the connector: qos.source (the concrete address of the end that admits: the route's
   * source), qos.rate (frames/s), qos.burst (frames), qos.drop (taildrop | mark | nack |
   * buffer) and, with buffer, qos.buffer (frames). No qos.rate: no admission.
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
   * Route parameters for the connector (framing, timeouts, ...), connector-specific. Keys that
   * start with "qos." are the route's admission QoS, read by the driver runtime and not passed
   * to the connector: qos.source (the concrete address of the end that admits: the route's
   * source), qos.rate (frames/s), qos.burst (frames), qos.drop (taildrop | mark | nack |
   * buffer) and, with buffer, qos.buffer (frames). No qos.rate: no admission.
   */
  'params': ({[key: string]: string});
}
