// Original file: proto/rtt/v1/panel.proto


export interface Selector {
  /**
   * One route's id; empty: every wired route.
   */
  'route'?: (string);
  /**
   * How often to sample, in milliseconds; 0: panel.yaml's health.heartbeat_ms.
   */
  'interval_ms'?: (number);
}

export interface Selector__Output {
  /**
   * One route's id; empty: every wired route.
   */
  'route': (string);
  /**
   * How often to sample, in milliseconds; 0: panel.yaml's health.heartbeat_ms.
   */
  'interval_ms': (number);
}
