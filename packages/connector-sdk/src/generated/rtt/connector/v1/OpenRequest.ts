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
   * buffer) and, with buffer, qos.buffer (frames). No qos.rate: no admission. On a one-way
   * buffer route, qos.journal is the route's journal directory (ADR 0016): the source end
   * appends what it reads from its symbol there and numbers each message with its end offset
   * (the frame's correlation id); the target end must record, after its symbol took each
   * message, that offset in <qos.journal>/delivered (16 bytes: the offset as u64 LE, then the
   * offset XOR 0x5254544a4e4c4d4b, or the constant 0x32564b52414d4a52, as u64 LE; with the
   * constant, the offset word alone may be stored in place), or the source stops after
   * qos.buffer messages.
   */
  'params'?: ({[key: string]: string});
  /**
   * The symbol's contract hash, as the catalog computed it (lowercase hex SHA-256 of the RFC 8785
   * canonical contract): what a route's SYN must expect of this link when it is a target, so
   * the driver need not compute it. Empty: the driver computes it from the contract.
   */
  'contract_hash'?: (string);
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
   * buffer) and, with buffer, qos.buffer (frames). No qos.rate: no admission. On a one-way
   * buffer route, qos.journal is the route's journal directory (ADR 0016): the source end
   * appends what it reads from its symbol there and numbers each message with its end offset
   * (the frame's correlation id); the target end must record, after its symbol took each
   * message, that offset in <qos.journal>/delivered (16 bytes: the offset as u64 LE, then the
   * offset XOR 0x5254544a4e4c4d4b, or the constant 0x32564b52414d4a52, as u64 LE; with the
   * constant, the offset word alone may be stored in place), or the source stops after
   * qos.buffer messages.
   */
  'params': ({[key: string]: string});
  /**
   * The symbol's contract hash, as the catalog computed it (lowercase hex SHA-256 of the RFC 8785
   * canonical contract): what a route's SYN must expect of this link when it is a target, so
   * the driver need not compute it. Empty: the driver computes it from the contract.
   */
  'contract_hash': (string);
}
