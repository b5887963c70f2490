/**
 * The `rtt-*` string formats the document schemas name (and semver ranges): each is checked by
 * the parser that owns it, whose error explains what is wrong and where inside the string.
 */
import { RttError } from "./errors.ts";
import { isNormalizedAbsolute } from "./path-confinement.ts";
import { parseHealthExpr, parseRouteExpr } from "./route-expr.ts";
import { parseConcrete, parseReference, parseSaddr } from "./saddr.ts";
import { isSemverRange } from "./version-range.ts";

/** Each `rtt-*` format is checked by the parser that owns it; its error is the explanation. */
const FORMAT_PARSERS: Record<string, (text: string) => unknown> = {
  "rtt-concrete": parseConcrete,
  "rtt-reference": parseReference,
  "rtt-pattern": parseSaddr,
  "rtt-route": parseRouteExpr,
  "rtt-health": parseHealthExpr,
  "rtt-abs-path": (text) => {
    if (!isNormalizedAbsolute(text))
      throw new RttError(
        "RTT_ERR_DOC_SCHEMA",
        `${JSON.stringify(text)} is not an absolute path without ".", ".." or empty parts`,
        { hint: 'e.g. "/var/log/myapp"' },
      );
  },
  "semver-range": (text) => {
    if (!isSemverRange(text)) {
      throw new RttError("RTT_ERR_DOC_SCHEMA", `${JSON.stringify(text)} is not a semver range`, {
        hint: 'e.g. ">=1.2 <2.0" or "^1.2"',
      });
    }
  },
};

export function formatProblem(format: string, text: string): RttError | undefined {
  try {
    FORMAT_PARSERS[format]?.(text);
    return undefined;
  } catch (error) {
    if (error instanceof RttError) return error;
    throw error;
  }
}

/** The formats the schemas name; their checks are RTT's own parsers. */
export const FORMAT_NAMES = Object.keys(FORMAT_PARSERS);
