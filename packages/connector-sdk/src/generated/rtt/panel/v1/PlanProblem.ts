// Original file: proto/rtt/v1/panel.proto


export interface PlanProblem {
  /**
   * The route that cannot be wired.
   */
  'route'?: (string);
  /**
   * Why (what `rtt plan` prints after "error:").
   */
  'problem'?: (string);
}

export interface PlanProblem__Output {
  /**
   * The route that cannot be wired.
   */
  'route': (string);
  /**
   * Why (what `rtt plan` prints after "error:").
   */
  'problem': (string);
}
