// Original file: proto/rtt/v1/panel.proto


export interface Filter {
  /**
   * An RTT address, reference or pattern as `rtt ls symbols` takes it (e.g. "rtt://core/* /*",
   * "rtt://core/api/metrics@^1"); empty: every symbol.
   */
  'pattern'?: (string);
  /**
   * Only symbols of this type ("api", "bus", "hook", ...); empty: every type.
   */
  'type'?: (string);
}

export interface Filter__Output {
  /**
   * An RTT address, reference or pattern as `rtt ls symbols` takes it (e.g. "rtt://core/* /*",
   * "rtt://core/api/metrics@^1"); empty: every symbol.
   */
  'pattern': (string);
  /**
   * Only symbols of this type ("api", "bus", "hook", ...); empty: every type.
   */
  'type': (string);
}
