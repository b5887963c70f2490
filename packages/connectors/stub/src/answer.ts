/**
 * Which declared example answers a request, and the bytes of its answer. A request payload is
 * compared as JSON (key order and number spelling do not matter); a payload that is not JSON
 * is compared as its text, so a line protocol's `ping` matches `"request": "ping"`.
 */
import { canonicalJson, type Example, type JsonValue } from "@rtt/core";

/** The example answering a request, or why none does. */
export type Answer =
  | { readonly matched: true; readonly example: Example }
  | { readonly matched: false; readonly request: string };

function requestKey(text: string): string {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return canonicalJson(text);
  }
}

/** The first example whose request equals the payload's, else the first that answers any. */
export function answerFor(examples: readonly Example[], payload: Uint8Array): Answer {
  const text = Buffer.from(payload)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  const key = requestKey(text);
  const example =
    examples.find((e) => e.request !== undefined && canonicalJson(e.request) === key) ??
    examples.find((e) => e.request === undefined);
  return example === undefined ? { matched: false, request: text } : { matched: true, example };
}

/** A response as frame bytes: a string as itself, anything else as its JSON text. */
export function answerPayload(response: JsonValue): Uint8Array {
  return Buffer.from(typeof response === "string" ? response : JSON.stringify(response));
}

/**
 * The answer to a request no example matches — a requester must not wait forever. An `api`'s
 * frames are the http driver's messages, so it gets an HTTP 501; anything else a JSON error.
 */
export function noExamplePayload(symbolType: string, saddr: string, request: string): Uint8Array {
  const why = `rtt stub: no example of ${saddr} matches the request ${JSON.stringify(request.slice(0, 200))}`;
  return answerPayload(
    symbolType === "api"
      ? {
          status: 501,
          headers: { "content-type": "text/plain; charset=utf-8" },
          body: Buffer.from(why).toString("base64"),
        }
      : { error: why },
  );
}
