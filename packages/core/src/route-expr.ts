/**
 * The small expression languages inside policy.json and the CLI:
 * - route expressions `A -> B` and `A -> [B, C, D]` (pins, failover sets, `rtt qc A -> B`);
 * - health expressions `p95<5ms,err<0.1%` (failover thresholds).
 * Errors carry the column within the expression.
 */
import { RttError } from "./errors.ts";
import { type ConcreteAddress, parseReference, type Reference } from "./saddr.ts";

export interface RouteExpr {
  readonly from: ConcreteAddress | Reference;
  /** One target, or the failover list in order. */
  readonly to: readonly (ConcreteAddress | Reference)[];
  /** True when written as a bracketed list, even of one. */
  readonly list: boolean;
}

const ARROW = "->";
// A comma also separates the caps of one address (`?caps=a,b`). Caps start with a letter or
// digit right after the comma; the next list item starts with a space, ',' or its scheme.
const CAPS_COMMA = /^,(?!rtt:\/\/)[a-z0-9]/i;

/**
 * What stands at `index`, spaces skipped: a word (an address), a run of arrow-ish characters,
 * one other character, or the end — and where it starts.
 */
function tokenAt(text: string, index: number): { readonly found: string; readonly at: number } {
  let at = index;
  while (at < text.length && /\s/.test(text[at] ?? "")) at++;
  if (at >= text.length) return { found: "the end of the expression", at: text.length };
  const token = /[a-z0-9][^\s,[\]]*|[-=<>]+|\S/iy;
  token.lastIndex = at;
  return { found: JSON.stringify(token.exec(text)?.[0] ?? text[at]), at };
}

function exprError(text: string, index: number, expected: string): RttError {
  const { found, at } = tokenAt(text, index);
  return new RttError(
    "RTT_ERR_EXPR_SYNTAX",
    `bad route expression ${JSON.stringify(text)}: found ${found} at column ${at + 1}; expected ${expected}`,
    {
      position: { line: 1, column: at + 1 },
      hint: "e.g. rtt://a/api/x -> [rtt://b/api/x@2, rtt://c/api/x@2]",
    },
  );
}

/** An arrow spelt otherwise (`=>`, `→`, `>`, `<-`): what people write for `->`. */
const NEAR_ARROW = /=+>|[→⇒⟶]|<-+|(?<!-)>/;

/**
 * The first arrow in `text` spelt otherwise than `->` (`=>`, `→`, `>`, `<-`), as the token that
 * holds it (JSON-quoted) and its 1-based column; undefined when there is none.
 */
export function nearArrow(
  text: string,
): { readonly found: string; readonly column: number } | undefined {
  const near = NEAR_ARROW.exec(text);
  if (near === null) return undefined;
  const { found, at } = tokenAt(text, near.index);
  return { found, column: at + 1 };
}

/** Where an expression without `->` went wrong: its near-arrow, else its second word, else its end. */
function missingArrow(text: string): RttError {
  const near = nearArrow(text);
  if (near !== undefined) return exprError(text, near.column - 1, `"${ARROW}"`);
  const second = /\S\s+(?=\S)/.exec(text.trim());
  const lead = text.length - text.trimStart().length;
  return exprError(
    text,
    second === null ? text.length : lead + second.index + second[0].length,
    `"${ARROW}" between two addresses`,
  );
}

/** Parses an address inside an expression, re-basing its error column onto the expression. */
function referenceAt(text: string, start: number, end: number): ConcreteAddress | Reference {
  const raw = text.slice(start, end);
  const lead = raw.length - raw.trimStart().length;
  const token = raw.trim();
  if (token.length === 0) throw exprError(text, start + lead, "an address");
  try {
    return parseReference(token);
  } catch (error) {
    if (error instanceof RttError && error.position !== undefined) {
      const column = start + lead + error.position.column;
      throw new RttError(error.code, `${error.message} (column ${column} of the expression)`, {
        position: { line: 1, column },
        ...(error.hint === undefined ? {} : { hint: error.hint }),
      });
    }
    throw error;
  }
}

export function parseRouteExpr(text: string): RouteExpr {
  const arrow = text.indexOf(ARROW);
  if (arrow < 0) throw missingArrow(text);
  const from = referenceAt(text, 0, arrow);
  let at = arrow + ARROW.length;
  while (text[at] === " ") at++;
  if (text[at] !== "[") {
    if (text.indexOf(ARROW, at) >= 0) throw exprError(text, text.indexOf(ARROW, at), "one arrow");
    return { from, to: [referenceAt(text, at, text.length)], list: false };
  }
  const close = text.lastIndexOf("]");
  if (close < at) throw exprError(text, text.length, "']' closing the failover list");
  if (text.slice(close + 1).trim() !== "") throw exprError(text, close + 1, "the end after ']'");
  const to: (ConcreteAddress | Reference)[] = [];
  let itemStart = at + 1;
  for (let i = at + 1; i <= close; i++) {
    if (i === close || (text[i] === "," && !CAPS_COMMA.test(text.slice(i, i + 7)))) {
      to.push(referenceAt(text, itemStart, i));
      itemStart = i + 1;
    }
  }
  return { from, to, list: true };
}

export const HEALTH_METRICS = ["p50", "p95", "p99", "err", "lag"] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];

export interface HealthBound {
  readonly metric: HealthMetric;
  readonly op: "<" | "<=";
  /** Milliseconds for latencies and lag; a fraction (0..1) for err. */
  readonly limit: number;
}

const LATENCY_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
const HEALTH_TERM = /^(p50|p95|p99|err|lag)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(us|ms|s|%)?$/;

function healthError(text: string, index: number, expected: string): RttError {
  return new RttError(
    "RTT_ERR_EXPR_SYNTAX",
    `bad health expression ${JSON.stringify(text)} at column ${index + 1}: expected ${expected}`,
    { position: { line: 1, column: index + 1 }, hint: "e.g. p95<5ms,err<0.1%" },
  );
}

/** Parses `p95<5ms,err<0.1%`: a comma-separated list of upper bounds a healthy target meets. */
export function parseHealthExpr(text: string): HealthBound[] {
  const bounds: HealthBound[] = [];
  let start = 0;
  for (const term of text.split(",")) {
    const lead = term.length - term.trimStart().length;
    const m = HEALTH_TERM.exec(term.trim());
    if (m === null) {
      throw healthError(
        text,
        start + lead,
        `a bound like p95<5ms or err<1% (metrics: ${HEALTH_METRICS.join(", ")})`,
      );
    }
    const [, metric, op, num, unit] = m as unknown as [
      string,
      HealthMetric,
      "<" | "<=",
      string,
      string | undefined,
    ];
    const value = Number(num);
    let limit: number;
    if (metric === "err") {
      if (unit !== "%" && unit !== undefined)
        throw healthError(text, start + lead, "err in % (e.g. err<0.1%)");
      limit = unit === "%" ? value / 100 : value;
      if (limit > 1) throw healthError(text, start + lead, "an error rate of at most 100%");
    } else {
      const scale = unit === undefined ? undefined : LATENCY_UNITS[unit];
      if (scale === undefined)
        throw healthError(text, start + lead, `${metric} with a unit: us, ms or s`);
      limit = value * scale;
    }
    if (bounds.some((b) => b.metric === metric))
      throw healthError(text, start + lead, `one bound per metric`);
    bounds.push({ metric, op, limit });
    start += term.length + 1;
  }
  return bounds;
}
