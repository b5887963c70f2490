/**
 * HTTP exchanges as frame payloads: a request or a response is one JSON object, its body
 * base64-encoded so any bytes survive. The frame's correlation id pairs a response with its
 * request; the payload itself never carries one.
 */
import { RttError } from "@rtt/core";

export interface HttpRequestMessage {
  readonly method: string;
  /** Path and query, e.g. "/series?name=up". */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Base64 body; absent for none. */
  readonly body?: string;
}

export interface HttpResponseMessage {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

const METHOD = /^[A-Z]+$/;

function bad(what: string, detail: string): RttError {
  return new RttError("RTT_ERR_FRAME_CORRUPT", `not an HTTP ${what} message: ${detail}`, {
    hint: 'expected JSON like {"method":"GET","path":"/metrics"}',
  });
}

function headersOf(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(what, "headers must be an object");
  for (const v of Object.values(value))
    if (typeof v !== "string") throw bad(what, "header values must be strings");
  return value as Record<string, string>;
}

function parseObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw bad(what, "not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(what, "not a JSON object");
  return value as Record<string, unknown>;
}

export function parseRequest(bytes: Uint8Array): HttpRequestMessage {
  const o = parseObject(bytes, "request");
  if (typeof o.method !== "string" || !METHOD.test(o.method))
    throw bad("request", "method must be an upper-case word");
  if (typeof o.path !== "string" || !o.path.startsWith("/"))
    throw bad("request", 'path must start with "/"');
  if (o.body !== undefined && typeof o.body !== "string")
    throw bad("request", "body must be base64 text");
  const headers = headersOf(o.headers, "request");
  return {
    method: o.method,
    path: o.path,
    ...(headers === undefined ? {} : { headers }),
    ...(o.body === undefined ? {} : { body: o.body as string }),
  };
}

export function parseResponse(bytes: Uint8Array): HttpResponseMessage {
  const o = parseObject(bytes, "response");
  if (
    typeof o.status !== "number" ||
    !Number.isInteger(o.status) ||
    o.status < 100 ||
    o.status > 599
  ) {
    throw bad("response", "status must be an integer 100–599");
  }
  if (o.body !== undefined && typeof o.body !== "string")
    throw bad("response", "body must be base64 text");
  const headers = headersOf(o.headers, "response");
  return {
    status: o.status,
    ...(headers === undefined ? {} : { headers }),
    ...(o.body === undefined ? {} : { body: o.body as string }),
  };
}

export function encodeMessage(message: HttpRequestMessage | HttpResponseMessage): Uint8Array {
  return Buffer.from(JSON.stringify(message));
}
