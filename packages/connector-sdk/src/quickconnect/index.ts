/**
 * QuickConnect (ADR 0011): the handshake that brings a route's link up between
 * its two ends (SYN → ACK → BIND → READY, heartbeats, TRIP), and the hot swap that moves a
 * source from one target to another at a frame boundary.
 */
export {
  type InitiatorInput,
  type InitiatorPhase,
  type InitiatorState,
  initialInitiator,
  stepInitiator,
} from "./initiator-machine.ts";
export {
  type CommonInput,
  DEFAULT_TIMINGS,
  type Effect,
  type Step,
  type Timings,
} from "./machine.ts";
export {
  type Ack,
  type Bind,
  type BufferParams,
  CONTROL_TYPES,
  CONTROL_VERSION,
  type ControlKind,
  type ControlMessage,
  controlKindOf,
  encodeControl,
  type Heartbeat,
  MAX_CONTROL_PAYLOAD,
  parseControl,
  type Ready,
  type Syn,
  type Trip,
} from "./messages.ts";
export {
  ANSWER_CACHE,
  evaluateSyn,
  initialResponder,
  type ResponderInput,
  type ResponderPhase,
  type ResponderPolicy,
  type ResponderState,
  stepResponder,
} from "./responder-machine.ts";
export {
  DEFAULT_LINK_HEARTBEAT_MS,
  DEFAULT_RING_CAPACITY,
  type InitiateOptions,
  Initiator,
  initiate,
  Responder,
  type RespondOptions,
  respond,
} from "./session.ts";
export type { ControlLanes, EstablishedLink } from "./session-runner.ts";
export { QuickConnectError, TRIP_REASONS, type TripReason, tripCode } from "./trip.ts";
