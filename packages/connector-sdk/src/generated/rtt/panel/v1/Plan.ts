// Original file: proto/rtt/v1/panel.proto

import type { PlanProblem as _rtt_panel_v1_PlanProblem, PlanProblem__Output as _rtt_panel_v1_PlanProblem__Output } from '../../../rtt/panel/v1/PlanProblem.ts';
import type { Long } from '@grpc/proto-loader';

export interface Plan {
  /**
   * The plan as `rtt plan --json` prints it (the same bytes): ApplyPlan takes it as it is.
   */
  'plan_json'?: (string);
  /**
   * The WAL commit the plan was computed against (0: nothing committed yet).
   */
  'base_seq'?: (number | string | Long);
  /**
   * Routes the plan creates.
   */
  'to_create'?: (number);
  /**
   * Routes the plan replaces (unwire, then wire again).
   */
  'to_replace'?: (number);
  /**
   * Routes the plan deletes.
   */
  'to_delete'?: (number);
  /**
   * Routes already wired as routes.json and policy.json want them.
   */
  'unchanged'?: (number);
  /**
   * The routes that cannot be wired: ApplyPlan refuses a plan that has any.
   */
  'problems'?: (_rtt_panel_v1_PlanProblem)[];
}

export interface Plan__Output {
  /**
   * The plan as `rtt plan --json` prints it (the same bytes): ApplyPlan takes it as it is.
   */
  'plan_json': (string);
  /**
   * The WAL commit the plan was computed against (0: nothing committed yet).
   */
  'base_seq': (number);
  /**
   * Routes the plan creates.
   */
  'to_create': (number);
  /**
   * Routes the plan replaces (unwire, then wire again).
   */
  'to_replace': (number);
  /**
   * Routes the plan deletes.
   */
  'to_delete': (number);
  /**
   * Routes already wired as routes.json and policy.json want them.
   */
  'unchanged': (number);
  /**
   * The routes that cannot be wired: ApplyPlan refuses a plan that has any.
   */
  'problems': (_rtt_panel_v1_PlanProblem__Output)[];
}
