// Original file: proto/rtt/v1/connector.proto

/**
 * Which side of a link an Offer is for.
 */
export const LaneSide = {
  /**
   * Not set: an Offer with it is refused.
   */
  LANE_SIDE_UNSPECIFIED: 'LANE_SIDE_UNSPECIFIED',
  /**
   * The lane whose frames go to the symbol (the driver reads it).
   */
  INBOUND: 'INBOUND',
  /**
   * The lane that carries what the symbol produces (the driver writes it).
   */
  OUTBOUND: 'OUTBOUND',
} as const;

/**
 * Which side of a link an Offer is for.
 */
export type LaneSide =
  /**
   * Not set: an Offer with it is refused.
   */
  | 'LANE_SIDE_UNSPECIFIED'
  | 0
  /**
   * The lane whose frames go to the symbol (the driver reads it).
   */
  | 'INBOUND'
  | 1
  /**
   * The lane that carries what the symbol produces (the driver writes it).
   */
  | 'OUTBOUND'
  | 2

/**
 * Which side of a link an Offer is for.
 */
export type LaneSide__Output = typeof LaneSide[keyof typeof LaneSide]
