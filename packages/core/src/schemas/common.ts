/**
 * Schema pieces shared by RTT's documents. Formats named `rtt-*` are checked by RTT's own
 * parsers (see validate.ts), so a schema violation and a parser error say the same thing.
 */

/** A name segment: lowercase letters, digits, '.', '_', '-'. */
export const IDENT_PATTERN = "^[a-z0-9][a-z0-9._-]*$";

export const identifier = { type: "string", pattern: IDENT_PATTERN } as const;

/**
 * The longest route id: it names a folder of the route's journal (.rtt/run/routes/<id>) and
 * travels in every panel API request about the route, so routes.json (validate.ts) and the
 * panel's request checks bound it alike.
 */
export const ROUTE_ID_MAX_LENGTH = 100;

export const stringList = { type: "array", items: { type: "string" } } as const;

/** `x-` keys are left for tools and people; everything else unknown is a typo. */
export const extensionKeys = { "^x-": {} } as const;
