/**
 * A request/response symbol's declared examples (manifest key `x-examples`): what a stub may
 * answer in its place when every real target is down (ADR 0014).
 *
 *   "x-examples": [
 *     { "request": {"method": "GET", "path": "/series"}, "response": {"status": 200, ...} },
 *     { "response": {"status": 404} }
 *   ]
 *
 * `request` and `response` are frame payloads written as JSON: an object, array, number… is
 * sent as its JSON text; a string as the string itself (line protocols). An example without
 * `request` answers any request. The list is checked here, once, for both the manifest
 * validator (which places a problem on its line and column) and the stub driver.
 */
import { canonicalJson } from "./canonical-json.ts";
import type { JsonValue } from "./json-value.ts";
import { closest } from "./suggest.ts";

export const EXAMPLES_KEY = "x-examples";

export interface Example {
  /** The request this example answers; absent: any request. */
  readonly request?: JsonValue;
  readonly response: JsonValue;
}

/** What is wrong, and where below `x-examples` (array indices are numbers). */
export interface ExamplesProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly hint?: string;
}

export type ExamplesResult =
  | { readonly ok: true; readonly examples: readonly Example[] }
  | { readonly ok: false; readonly problem: ExamplesProblem };

const SHAPE_HINT =
  'e.g. "x-examples": [{"request": {"method": "GET", "path": "/"}, "response": {"status": 200}}]';

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is JSON that has a canonical form (no NaN, no lone surrogate, plain objects). */
function isJson(value: unknown): value is JsonValue {
  try {
    canonicalJson(value);
    return true;
  } catch {
    return false;
  }
}

/** Reads an `x-examples` value. Never throws: a problem names the field below the key. */
export function readExamples(value: unknown): ExamplesResult {
  const bad = (path: (string | number)[], message: string, hint = SHAPE_HINT): ExamplesResult => ({
    ok: false,
    problem: { path, message, hint },
  });
  if (!Array.isArray(value) || value.length === 0)
    return bad([], "x-examples must be a non-empty array of {request?, response} objects");
  const examples: Example[] = [];
  for (const [i, item] of value.entries()) {
    if (!isRecord(item)) return bad([i], "an example must be an object {request?, response}");
    const unknown = Object.keys(item).find((k) => k !== "request" && k !== "response");
    if (unknown !== undefined) {
      const guess = closest(unknown, ["request", "response"]);
      return bad(
        [i, unknown],
        `unknown field "${unknown}" in an example`,
        guess === undefined
          ? "an example has a response and, unless it answers any request, a request"
          : `did you mean "${guess}"?`,
      );
    }
    if (!("response" in item) || item.response === undefined)
      return bad([i], 'an example needs a "response"');
    if (!isJson(item.response)) return bad([i, "response"], "response is not plain JSON");
    if ("request" in item && !isJson(item.request))
      return bad(
        [i, "request"],
        "request is not plain JSON",
        'leave "request" out for an example that answers any request',
      );
    examples.push(
      "request" in item
        ? { request: item.request as JsonValue, response: item.response }
        : { response: item.response },
    );
  }
  return { ok: true, examples };
}
