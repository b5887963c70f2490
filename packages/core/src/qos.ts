/** What a route does when its token bucket or lane is full (ADR 0015). */
export const DROP_POLICIES = ["taildrop", "mark", "nack", "buffer"] as const;
export type DropPolicy = (typeof DROP_POLICIES)[number];

/** Lane kinds in order of preference (`routing.prefer` in panel.yaml). */
export const LANE_KINDS = ["shm", "uds", "tcp", "inproc"] as const;
export type LaneKind = (typeof LANE_KINDS)[number];

/** True for the name of a lane kind: text off the wire or out of a file, checked once. */
export function isLaneKind(text: string): text is LaneKind {
  return (LANE_KINDS as readonly string[]).includes(text);
}
