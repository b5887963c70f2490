/**
 * Why a QuickConnect link trips (ADR 0011), and the typed error each reason becomes at
 * the end that has to give up. A TRIP frame carries the reason across, so both ends name the
 * same one: the initiator's error says what the responder refused, not just "refused".
 */
import { type ErrorCode, RttError } from "@rtt/core";

export const TRIP_REASONS = [
  /** The responder's contract hash is not the one the initiator was planned against. */
  "contract-mismatch",
  /** A capability one end requires is not offered by the other. */
  "caps-missing",
  /** No lane kind both ends can make. */
  "no-lane",
  /**
   * The responder's contract requires a route token (auth mode token or caps) and the SYN has
   * none, or one that is forged, expired, of another panel or scoped to another route.
   */
  "unauthorized",
  /** No answer to SYN or BIND after every retry, or no BIND after an ACK. */
  "timeout",
  /** After READY, no frame from the peer for the allowed number of heartbeat intervals. */
  "heartbeat",
  /** The lanes in BIND could not be made or reached. */
  "bind-failed",
  /** A control frame did not parse. */
  "malformed",
  /** A well-formed frame out of place: wrong state, wrong direction, an ACK that breaks the SYN. */
  "protocol",
  /** The control lanes closed under the link: the peer's process went away. */
  "peer-gone",
  /** The peer closed the link on purpose. */
  "closed",
] as const;

export type TripReason = (typeof TRIP_REASONS)[number];

const CODES: Readonly<Record<TripReason, ErrorCode>> = {
  "contract-mismatch": "RTT_ERR_QC_REFUSED",
  "caps-missing": "RTT_ERR_QC_REFUSED",
  "no-lane": "RTT_ERR_QC_REFUSED",
  unauthorized: "RTT_ERR_QC_REFUSED",
  timeout: "RTT_ERR_QC_TIMEOUT",
  heartbeat: "RTT_ERR_QC_TIMEOUT",
  "bind-failed": "RTT_ERR_QC_TRIP",
  malformed: "RTT_ERR_QC_MALFORMED",
  protocol: "RTT_ERR_QC_TRIP",
  "peer-gone": "RTT_ERR_QC_TRIP",
  closed: "RTT_ERR_QC_TRIP",
};

const HINTS: Readonly<Record<TripReason, string>> = {
  "contract-mismatch":
    "the target changed its contract since the plan was made: rescan, then plan and apply again",
  "caps-missing": "offer the capability on the other end, or stop requiring it in the route",
  "no-lane": "check routing.prefer in .rtt/panel.yaml on both ends",
  unauthorized:
    "the target's contract requires a route token: only the panel wiring this route can hand the source one (ADR 0018)",
  timeout: "is the peer's driver running and reading its control lane?",
  heartbeat: "the peer stopped answering: it may be hung or overloaded",
  "bind-failed": "the peer could not reach the lanes offered in BIND",
  malformed: "both ends must speak QuickConnect control frames version 1",
  protocol: "both ends must speak QuickConnect control frames version 1",
  "peer-gone": "the peer's process exited or was killed",
  closed: "the peer closed the link",
};

/** The code a trip reason is reported with. */
export function tripCode(reason: TripReason): ErrorCode {
  return CODES[reason];
}

/**
 * A tripped QuickConnect link. `reason` is the machine-readable why; `by` says which end
 * decided (`peer`: it arrived in a TRIP frame).
 */
export class QuickConnectError extends RttError {
  readonly reason: TripReason;
  readonly by: "local" | "peer";

  constructor(
    reason: TripReason,
    by: "local" | "peer",
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(tripCode(reason), message, { hint: HINTS[reason], ...options });
    this.name = "QuickConnectError";
    this.reason = reason;
    this.by = by;
  }
}
