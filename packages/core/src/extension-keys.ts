/**
 * Every manifest `x-` key RTT itself reads or writes, in one table: docs/manifest.md's key
 * reference is generated from it (scripts/generate-manifest-doc.ts), a test fails when a
 * driver's or indexer's source names an `"x-…"` literal the table lacks, and `rtt scan` warns
 * about a manifest key that is neither here nor a custom driver's own (`unknownExtensionKeys`).
 *
 * A custom driver's keys: a manifest that names its driver (`"x-driver": "foo"`) may carry any
 * `x-foo-…` key without a warning; that is the whole rule, so a scan needs no configuration to
 * tell a typo from a driver's key.
 */
import type { JsonValue } from "./json-value.ts";

/** Who reads a key: a built-in driver, the panel, or nobody but people and tools (a label). */
export type KeyReader =
  | "process"
  | "http"
  | "file"
  | "stub"
  | "nats"
  | "memory"
  | "panel"
  | "label"
  | "discovery";

export interface ExtensionKey {
  /** JSON type, as the docs show it, e.g. `string[]` or `integer (ms)`. */
  readonly type: string;
  readonly readBy: readonly KeyReader[];
  /** What holds when the key is absent. */
  readonly default: string;
  /** One sentence: what the key does. */
  readonly doc: string;
  /** A value a manifest could carry (it validates, and warns about nothing). */
  readonly example: JsonValue;
}

/** Keyed by the manifest key; in the order docs/manifest.md lists them. */
export const EXTENSION_KEYS = {
  "x-driver": {
    type: "string",
    readBy: ["panel"],
    default: "http for an api, file for a file, else process when x-run is set",
    doc: "The connector that opens the symbol (a built-in one or a driver in .rtt/drivers/); its name also lets the manifest carry that driver's own x-<name>-… keys.",
    example: "process",
  },
  "x-run": {
    type: "string[] (argv)",
    readBy: ["process", "http"],
    default: "none: without it (or x-url, x-driver) no driver can open a proc, hook or plugin",
    doc: "The program and its arguments, command first, run without a shell. The process driver runs it for any type but api; the http driver starts an api with it when there is no x-url, replacing {port} in an argument with a free 127.0.0.1 port.",
    example: ["python3", "emit.py", "--every", "1s"],
  },
  "x-cwd": {
    type: "string (path)",
    readBy: ["process", "http"],
    default: "the manifest's folder",
    doc: "The folder the program runs in, relative to the manifest's folder.",
    example: "..",
  },
  "x-env": {
    type: "object (name → string)",
    readBy: ["process"],
    default: "none: the driver's own environment",
    doc: "Variables added to the environment of the program x-run starts; names are letters, digits and _, not starting with a digit.",
    example: { LOG_LEVEL: "debug" },
  },
  "x-path": {
    type: "string (path)",
    readBy: ["file"],
    default: "none: the file driver then has no path to open",
    doc: "The file, FIFO or Unix socket a file symbol is, relative to the manifest's folder; it must lie in the workspace or under panel.yaml's security.allow_paths.",
    example: "logs/app.ndjson",
  },
  "x-url": {
    type: "string (http or nats URL)",
    readBy: ["http", "nats"],
    default: "none: the http driver starts x-run instead; the nats driver cannot open the symbol",
    doc: "For the http driver, the loopback URL of an api it sends requests to (its path is a prefix of every request's path; any other host is refused). For the nats driver, the NATS server(s) a bus or queue symbol is on: nats:// or tls:// URLs, comma-separated, with no credentials in them (ADR 0032).",
    example: "http://127.0.0.1:9464/api",
  },
  "x-subject": {
    type: "string (NATS subject)",
    readBy: ["nats"],
    default: "none: the nats driver cannot open the symbol",
    doc: "The subject a nats bus or queue symbol is: a route's target publishes each frame to it, a route's source subscribes to it; no wildcards (ADR 0032).",
    example: "rtt.events",
  },
  "x-stream": {
    type: "string (JetStream stream name)",
    readBy: ["nats"],
    default: "none: core NATS, what is sent while no one subscribes is gone",
    doc: "A JetStream stream holding the subject (made on first use): publishing waits for the stream to store each message and a route's source is a durable consumer, so a drop: buffer route loses nothing while the receiving panel or the server is down (ADR 0032).",
    example: "RTT_EVENTS",
  },
  "x-creds": {
    type: "string (path)",
    readBy: ["nats"],
    default: "none: connect without credentials",
    doc: "A NATS credentials file (JWT and NKey seed) the nats driver connects with, relative to the manifest's folder; passed to the client only, never logged.",
    example: "secrets/rtt.creds",
  },
  "x-tls": {
    type: 'object {"ca"?, "cert"?, "key"?} (paths)',
    readBy: ["nats"],
    default: "none: TLS only if the URL says tls:// or the server asks for it",
    doc: "The CA, client certificate and key files the nats driver's TLS connection uses, relative to the manifest's folder; passed to the client only, never logged.",
    example: { ca: "tls/ca.pem", cert: "tls/client.pem", key: "tls/client-key.pem" },
  },
  "x-settle-ms": {
    type: "integer (ms, 0–7000)",
    readBy: ["process"],
    default: "150",
    doc: "How long a started program must keep running before its route opens; exiting with status 0 inside it counts as a finished one-shot, not a failure.",
    example: 300,
  },
  "x-ready": {
    type: 'object: one of {"line": regex}, {"socket": path}, {"port": n}; optional "timeout_ms"',
    readBy: ["process"],
    default: "none: started once it settled",
    doc: "How the program shows it is ready: a matching line on its stderr, a Unix socket (relative to x-cwd) or 127.0.0.1 port that accepts; timeout_ms defaults to 5000, at most 7000.",
    example: { line: "listening on", timeout_ms: 3000 },
  },
  "x-drain-ms": {
    type: "integer (ms, 0–600000)",
    readBy: ["process", "panel"],
    default: "5000",
    doc: "How long a route's retired target program has after end-of-input to finish before SIGTERM (ADR 0024).",
    example: 10000,
  },
  "x-reattach": {
    type: "boolean",
    readBy: ["panel"],
    default: "false",
    doc: "A retired target program may be kept as a warm spare and take a stream over mid-way, instead of being drained (ADR 0024).",
    example: true,
  },
  "x-examples": {
    type: 'array of {"request"?, "response"}',
    readBy: ["stub"],
    default: "none: no stub stands in for the symbol",
    doc: 'Canned answers for an "io": "req" symbol: while its route is tripped with no failover, the stub driver answers each request with the first example whose request equals it, else the first without a request (ADR 0014).',
    example: [{ request: { method: "GET", path: "/health" }, response: { status: 200 } }],
  },
  "x-allow-paths": {
    type: "string[] (absolute paths)",
    readBy: ["file"],
    default: "set by the panel",
    doc: "The prefixes a file symbol's path must lie under. The panel always sends the workspace and security.allow_paths and replaces any value a manifest has; allow more paths in panel.yaml, not here.",
    example: ["/var/log/myapp"],
  },
  "x-note": {
    type: "any",
    readBy: ["label"],
    default: "none",
    doc: "A note for people; the systemd indexer writes one for a unit it could not read fully.",
    example: "rotated daily by logrotate",
  },
  "x-owner": {
    type: "any",
    readBy: ["label"],
    default: "none",
    doc: "Who looks after the symbol, for people.",
    example: "team-observability",
  },
  "x-discovered-from": {
    type: "object {indexer, file, line, score}",
    readBy: ["label"],
    default: "none",
    doc: "Written by rtt adopt: which indexer found the symbol, in which file and line, with which score (ADR 0026).",
    example: { indexer: "shebang", file: "bin/emit.py", line: 1, score: 0.6 },
  },
  "x-interpreter": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the shebang indexer: the interpreter line of the script x-run runs.",
    example: "/usr/bin/env python3",
  },
  "x-framework": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the JavaScript and Python source indexers: the web framework the API was found in.",
    example: "express",
  },
  "x-paths": {
    type: 'array of {"method", "path"}',
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the JavaScript and Python source indexers: the HTTP routes found in the API's source.",
    example: [{ method: "GET", path: "/health" }],
  },
  "x-listen": {
    type: "string[]",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the systemd and launchd indexers: what a service's socket unit listens on.",
    example: ["127.0.0.1:8080", "/run/app.sock"],
  },
  "x-schema": {
    type: "string (schema reference)",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the IPC indexer on a *.schema.json file symbol: the json:// reference an io slot's schema may use.",
    example: "json://events.v1",
  },
  "x-module": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the Node package indexer: the module a package's plugin or extension entry points at.",
    example: "dist/cli.js",
  },
  "x-entry-point": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the Python packaging indexer: the entry point's object reference.",
    example: "mytool.cli:main",
  },
  "x-entry-point-group": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the Python packaging indexer: the entry point's group.",
    example: "console_scripts",
  },
  "x-crate-type": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the Cargo indexer: the crate type of a library target.",
    example: "cdylib",
  },
  "x-library": {
    type: "string (path)",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the C build and ELF indexers: the shared library that exports the symbol.",
    example: "build/libcodec.so",
  },
  "x-symbol": {
    type: "string",
    readBy: ["discovery"],
    default: "none",
    doc: "Written by the ELF indexer: the exported function's name.",
    example: "codec_encode",
  },
  "x-emit": {
    type: "integer",
    readBy: ["memory"],
    default: "0",
    doc: "Test connector only (the panel's in-process memory driver): how many messages a source emits once bound.",
    example: 10,
  },
  "x-emit-interval-ms": {
    type: "integer (ms)",
    readBy: ["memory"],
    default: "none: all at once",
    doc: "Test connector only: the pause between emitted messages.",
    example: 5,
  },
  "x-answer-tag": {
    type: "string",
    readBy: ["memory"],
    default: "re",
    doc: 'Test connector only: a request target answers "<tag>: <request>".',
    example: "b",
  },
  "x-answer-delay-ms": {
    type: "integer (ms)",
    readBy: ["memory"],
    default: "0",
    doc: "Test connector only: how long a request target waits before it answers.",
    example: 20,
  },
} as const satisfies Readonly<Record<`x-${string}`, ExtensionKey>>;

export type KnownExtensionKey = keyof typeof EXTENSION_KEYS;

export const KNOWN_EXTENSION_KEYS: readonly string[] = Object.keys(EXTENSION_KEYS);
