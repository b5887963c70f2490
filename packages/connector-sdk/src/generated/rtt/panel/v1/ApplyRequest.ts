// Original file: proto/rtt/v1/panel.proto


export interface ApplyRequest {
  /**
   * The plan, exactly as `rtt plan --json` or `-out` wrote it (or PlanRoutes gave it); it must
   * be the plan the panel makes itself.
   */
  'plan_json'?: (string);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who'?: (string);
  /**
   * Why, for the audit ledger (e.g. "rtt apply").
   */
  'why'?: (string);
}

export interface ApplyRequest__Output {
  /**
   * The plan, exactly as `rtt plan --json` or `-out` wrote it (or PlanRoutes gave it); it must
   * be the plan the panel makes itself.
   */
  'plan_json': (string);
  /**
   * Who asks, for the audit ledger (user@host).
   */
  'who': (string);
  /**
   * Why, for the audit ledger (e.g. "rtt apply").
   */
  'why': (string);
}
