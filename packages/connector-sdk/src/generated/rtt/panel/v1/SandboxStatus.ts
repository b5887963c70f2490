// Original file: proto/rtt/v1/panel.proto


export interface SandboxStatus {
  /**
   * What panel.yaml's security.sandbox asks for: auto, bwrap, node or none.
   */
  'setting'?: (string);
  /**
   * What the drivers run in: bwrap, node or none.
   */
  'level'?: (string);
  /**
   * Why the level is less than asked for the best (e.g. "degraded to node: bwrap not found on
   * PATH"), or a warning for none; empty when neither.
   */
  'note'?: (string);
}

export interface SandboxStatus__Output {
  /**
   * What panel.yaml's security.sandbox asks for: auto, bwrap, node or none.
   */
  'setting': (string);
  /**
   * What the drivers run in: bwrap, node or none.
   */
  'level': (string);
  /**
   * Why the level is less than asked for the best (e.g. "degraded to node: bwrap not found on
   * PATH"), or a warning for none; empty when neither.
   */
  'note': (string);
}
