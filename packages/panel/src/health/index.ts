/**
 * Route health, the pure parts: a circuit breaker per route (closed → open → half-open, clock and
 * randomness injected, state journaled as plain JSON) and rolling statistics from driver health
 * samples. The daemon feeds them and acts on the transitions (unbind, fail over, re-bind).
 */
export {
  BREAKER_DEFAULTS,
  BREAKER_STATES,
  type BreakerConfig,
  type BreakerEnv,
  type BreakerEvent,
  type BreakerState,
  type BreakerStateName,
  type BreakerStep,
  type BreakerTransition,
  breakerBackoff,
  breakerConfig,
  newBreaker,
  nextDeadline,
  restoreBreaker,
  type SloObservation,
  sloViolation,
  stepBreaker,
} from "./breaker.ts";
export {
  type HealthInput,
  type HistoryPoint,
  percentile,
  RouteSamples,
  type RouteSamplesOptions,
  type RouteStats,
  sloObservation,
} from "./samples.ts";
