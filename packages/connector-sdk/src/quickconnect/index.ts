/**
 * QuickConnect (spec §7, DESIGN.md §8): the handshake that brings a route's link up between
 * its two ends (SYN → ACK → BIND → READY, heartbeats, TRIP), and the hot swap that moves a
 * source from one target to another at a frame boundary.
 */
export { type Cancel, type Clock as QuickConnectClock, FakeClock, systemClock } from "./clock.ts";
export {
  ANSWER_CACHE,
  type CommonInput,
  DEFAULT_TIMINGS,
  type Effect,
  evaluateSyn,
  type InitiatorInput,
  type InitiatorPhase,
  type InitiatorState,
  initialInitiator,
  initialResponder,
  type ResponderInput,
  type ResponderPhase,
  type ResponderPolicy,
  type ResponderState,
  type Step,
  stepInitiator,
  stepResponder,
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
  type ControlLanes,
  DEFAULT_LINK_HEARTBEAT_MS,
  DEFAULT_RING_CAPACITY,
  type EstablishedLink,
  type InitiateOptions,
  Initiator,
  initiate,
  Responder,
  type RespondOptions,
  respond,
} from "./session.ts";
export { QuickConnectError, TRIP_REASONS, type TripReason, tripCode } from "./trip.ts";
