/**
 * What a `bus`/`queue` symbol's manifest tells the nats driver (docs/adr/0032-nats-bus.md):
 * the server (`x-url`), the subject (`x-subject`), an optional JetStream stream (`x-stream`) and
 * the credentials and TLS files the client connects with (`x-creds`, `x-tls`, relative to the
 * manifest's folder). Read once at open; a wrong value is an error naming the key. The
 * credentials are passed to the client only: `describe` never shows them.
 */
import { isAbsolute, join } from "node:path";
import { type Contract, RttError } from "@rtt/core";

export interface NatsTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface NatsSettings {
  readonly saddr: string;
  /** The servers to connect to (x-url: one URL, or several comma-separated). */
  readonly servers: readonly string[];
  readonly subject: string;
  /** The JetStream stream holding the subject: publish waits for its ack, consume acks. */
  readonly stream?: string;
  /** An absolute path to a NATS credentials file (JWT and NKey seed). */
  readonly credsFile?: string;
  readonly tls?: NatsTls;
}

type NatsKeys = Contract & {
  readonly "x-url"?: unknown;
  readonly "x-subject"?: unknown;
  readonly "x-stream"?: unknown;
  readonly "x-creds"?: unknown;
  readonly "x-tls"?: unknown;
  readonly "x-cwd"?: unknown;
};

const URL_SCHEMES = new Set(["nats:", "tls:"]);
/** A subject to publish to: dot-separated tokens, no wildcards, no whitespace. */
const PUBLISH_SUBJECT = /^[^\s.*>]+(\.[^\s.*>]+)*$/;
/** JetStream stream names: no whitespace, dots, wildcards or path separators. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function wrong(saddr: string, key: string, what: string, hint: string): RttError {
  return new RttError("RTT_ERR_DOC_SCHEMA", `nats driver: ${saddr} ${key}: ${what}`, { hint });
}

function serversOf(saddr: string, value: unknown): string[] {
  if (typeof value !== "string" || value.trim() === "")
    throw wrong(saddr, "x-url", "missing", 'give the symbol "x-url": "nats://127.0.0.1:4222"');
  return value.split(",").map((raw) => {
    const text = raw.trim();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw wrong(saddr, "x-url", `${JSON.stringify(text)} is not a URL`, "nats://host:4222");
    }
    if (!URL_SCHEMES.has(url.protocol) || url.hostname === "")
      throw wrong(
        saddr,
        "x-url",
        `${JSON.stringify(`${url.protocol}//${url.host}`)} is not a nats:// or tls:// server`,
        "nats://host:4222",
      );
    // Credentials in the URL would end up in plans and logs: they belong in x-creds.
    if (url.username !== "" || url.password !== "")
      throw wrong(
        saddr,
        "x-url",
        "carries a user or password",
        "put credentials in a file named by x-creds, never in the URL",
      );
    return `${url.protocol}//${url.host}`;
  });
}

function pathIn(cwd: string, saddr: string, key: string, value: unknown): string {
  if (typeof value !== "string" || value === "")
    throw wrong(saddr, key, "must be a file path", "a path relative to the manifest's folder");
  return isAbsolute(value) ? value : join(cwd, value);
}

function tlsOf(cwd: string, saddr: string, value: unknown): NatsTls {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw wrong(saddr, "x-tls", "must be an object", '{"ca": "ca.pem", "cert": …, "key": …}');
  const known = { ca: "caFile", cert: "certFile", key: "keyFile" } as const;
  const tls: Record<string, string> = {};
  for (const [name, path] of Object.entries(value)) {
    const field = known[name as keyof typeof known];
    if (field === undefined)
      throw wrong(saddr, `x-tls.${name}`, "is not a TLS option", "ca, cert and key (file paths)");
    tls[field] = pathIn(cwd, saddr, `x-tls.${name}`, path);
  }
  return tls;
}

/** The settings of a symbol the nats driver opens, or the error naming the key that is wrong. */
export function natsSettings(symbol: Contract): NatsSettings {
  const x = symbol as NatsKeys;
  const saddr = symbol.saddr;
  const servers = serversOf(saddr, x["x-url"]);
  const subject = x["x-subject"];
  if (typeof subject !== "string" || !PUBLISH_SUBJECT.test(subject))
    throw wrong(
      saddr,
      "x-subject",
      subject === undefined ? "missing" : `${JSON.stringify(subject)} is not a subject`,
      'a NATS subject without wildcards, e.g. "rtt.events"',
    );
  const stream = x["x-stream"];
  if (stream !== undefined && (typeof stream !== "string" || !STREAM_NAME.test(stream)))
    throw wrong(saddr, "x-stream", "is not a stream name", "letters, digits, _ and -");
  const cwd = typeof x["x-cwd"] === "string" ? x["x-cwd"] : process.cwd();
  return {
    saddr,
    servers,
    subject,
    ...(stream === undefined ? {} : { stream }),
    ...(x["x-creds"] === undefined
      ? {}
      : { credsFile: pathIn(cwd, saddr, "x-creds", x["x-creds"]) }),
    ...(x["x-tls"] === undefined ? {} : { tls: tlsOf(cwd, saddr, x["x-tls"]) }),
  };
}

/** The settings for a log line: server, subject and stream, never credentials or key files. */
export function describe(settings: NatsSettings): string {
  const stream = settings.stream === undefined ? "" : ` (JetStream stream ${settings.stream})`;
  const auth = settings.credsFile === undefined ? "" : ", with credentials";
  const tls = settings.tls === undefined ? "" : ", with TLS files";
  return `${settings.servers.join(",")} subject ${settings.subject}${stream}${auth}${tls}`;
}
