/**
 * The one catalog of RTT's coded errors. Every error a user can see has a code here, a
 * one-line meaning, the CLI exit code and the gRPC status it maps to. Codes are never reused;
 * `docs/errors.md` lists them and a test keeps the two in step.
 */

export interface ErrorSpec {
  /** What the code means, as written in docs/errors.md. */
  readonly meaning: string;
  /** 1 = the operation failed, 2 = the command line itself was wrong. */
  readonly exitCode: 1 | 2;
  readonly grpcStatus:
    | "INVALID_ARGUMENT"
    | "NOT_FOUND"
    | "FAILED_PRECONDITION"
    | "DEADLINE_EXCEEDED"
    | "ABORTED"
    | "UNAVAILABLE"
    | "PERMISSION_DENIED"
    | "RESOURCE_EXHAUSTED"
    | "INTERNAL";
}

export const ERROR_CATALOG = {
  RTT_ERR_SADDR_SYNTAX: {
    meaning: "A symbol address (SADDR) does not follow the rtt:// grammar.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_SADDR_FORM: {
    meaning:
      "A well-formed address of the wrong form: e.g. a pattern where a concrete address is needed.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_EXPR_SYNTAX: {
    meaning: "A route expression (`A -> B`, `A -> [B,C]`) or a health expression does not parse.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_DOC_SYNTAX: {
    meaning: "A JSON or YAML file is not well-formed.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_DOC_UNREADABLE: {
    meaning:
      "A workspace file (routes.json, policy.json, panel.yaml, a plan file) is missing where one is required, or cannot be read: a folder, no permission, not UTF-8.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_IO: {
    meaning:
      "A file or folder RTT reads or writes could not be: no such folder, no permission, a folder where a file belongs, a read-only or full disk, a name too long.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DOC_SCHEMA: {
    meaning: "A manifest, routes.json, policy.json or panel.yaml breaks its schema.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_CANON_VALUE: {
    meaning: "A value has no RFC 8785 canonical form (NaN, Infinity, a lone surrogate, undefined).",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_TAGS_SYNTAX: {
    meaning: "A line of a .rtttags sidecar does not parse.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_STATE_LINK: {
    meaning:
      "A file or folder under .rtt/ where RTT keeps its own state (cache, audit, wal, keys, trust, panel.log) is a symbolic link; RTT neither reads nor writes through it.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_WORKSPACE_NOT_FOUND: {
    meaning: "No .rtt/ folder in the working directory or any parent.",
    exitCode: 1,
    grpcStatus: "NOT_FOUND",
  },
  RTT_ERR_CATALOG_MISSING: {
    meaning: "The symbol catalog has not been built yet, or was written by another format.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_KEY: {
    meaning:
      "A signing key or trust file is missing, unreadable, not Ed25519, or a key of that name exists already.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SIGNATURE: {
    meaning:
      "A manifest's signature does not verify with the trusted key it names: the file changed after it was signed (an error, always). In strict mode, also the warning for a symbol whose manifest is unsigned or signed by an untrusted key.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_TOKEN: {
    meaning:
      "A capability token is missing, malformed, expired, not signed by this panel's key, or does not cover the action, route or address asked for.",
    exitCode: 1,
    grpcStatus: "PERMISSION_DENIED",
  },
  RTT_ERR_SCAN_UNREADABLE: {
    meaning: "The scanner could not read a file or folder (permissions, vanished, not a file).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SCAN_TOO_LARGE: {
    meaning: "A manifest or sidecar is larger than scan.max_manifest_bytes and was skipped.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SCAN_CONFLICT: {
    meaning:
      "Two manifests claim the same concrete address, or two indexer claims of the same score on one address differ in a field (ADR 0026); neither is catalogued.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SCAN_INDEXER: {
    meaning:
      "An indexer failed on a file or made a claim that is not a valid symbol contract (ADR 0026); its claims there are left out and the scan goes on.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SCAN_SYMLINK: {
    meaning:
      "A symbolic link is dangling, leads back into a folder already walked, out of the scan roots (scan.follow_symlinks: within) or into a pseudo file system such as /proc; it was not followed.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_PATH_OUTSIDE: {
    meaning:
      "A file symbol's path resolves (symlinks followed) outside the workspace and outside every prefix in panel.yaml's `security.allow_paths`, or a symbolic link appeared on the way after that check, when the driver opened it.",
    exitCode: 1,
    grpcStatus: "PERMISSION_DENIED",
  },
  RTT_ERR_FRAME_TRUNCATED: {
    meaning: "A frame ended before its header or payload was complete.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_FRAME_OVERSIZED: {
    meaning: "A frame declares a payload larger than the lane's maximum.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_FRAME_CORRUPT: {
    meaning: "A frame's magic, version, type or checksum is wrong: the bytes were damaged.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_LANE_CLOSED: {
    meaning: "A frame was sent on a lane that is closed or closing.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_LANE_PEER_GONE: {
    meaning: "The process at the other end of a lane went away (exited or was killed).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_LANE_ADDRESS: {
    meaning: "A lane address is malformed or not allowed (TCP lanes are loopback only).",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_LANE_UNAVAILABLE: {
    meaning: "A lane kind cannot be made here (e.g. shm without the native addon).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SOCKET_UNSAFE: {
    meaning:
      "A socket folder or file is not safely this user's (a link, another owner, open to others), or a path that is no socket of ours is in the way.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_SHM: {
    meaning: "A shared-memory segment could not be created, opened, mapped or unlinked.",
    exitCode: 1,
    grpcStatus: "INTERNAL",
  },
  RTT_ERR_SANDBOX_UNAVAILABLE: {
    meaning:
      "panel.yaml's security.sandbox asks for a level this machine cannot give (bwrap missing or refused).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_SPAWN: {
    meaning: "A driver executable could not be started (not found, not executable).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_COOKIE: {
    meaning:
      "A driver was started without its magic cookie: drivers are launched by an RTT host, not by hand.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_VERSION: {
    meaning:
      "A host and a driver share no protocol version; the message names both sides' versions.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_HANDSHAKE: {
    meaning: "A driver's handshake line (on descriptor 3) is missing or malformed.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_TIMEOUT: {
    meaning: "A driver did not complete its handshake, or answer a call, in time.",
    exitCode: 1,
    grpcStatus: "DEADLINE_EXCEEDED",
  },
  RTT_ERR_DRIVER_EXITED: {
    meaning: "A driver process exited or was killed, before its handshake or while in use.",
    exitCode: 1,
    grpcStatus: "UNAVAILABLE",
  },
  RTT_ERR_DRIVER_IDENTITY: {
    meaning:
      "A recorded driver is not the same process any more (pid reused, start time or nonce differs).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_DRIVER_LINK: {
    meaning: "A driver call named a link that is not open, or a lane side that is already bound.",
    exitCode: 1,
    grpcStatus: "NOT_FOUND",
  },
  RTT_ERR_DRIVER_CALL: {
    meaning:
      "A connector's own code (probe, open, tx, rx, close, health) failed; the message says how.",
    exitCode: 1,
    grpcStatus: "INTERNAL",
  },
  RTT_ERR_PROGRAM_START: {
    meaning:
      "A route end's program did not start: not found or not executable, exited within its settle window (x-settle-ms), or not ready in time (x-ready).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_QC_MALFORMED: {
    meaning:
      "A QuickConnect control frame (SYN, ACK, BIND, READY, TRIP, HEARTBEAT) is not well-formed.",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_QC_REFUSED: {
    meaning:
      "A QuickConnect peer refused the link: other contract hash, required cap, no common lane, or no valid route token.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_QC_TIMEOUT: {
    meaning:
      "A QuickConnect peer went silent: no answer to SYN or BIND after retries, or no heartbeats.",
    exitCode: 1,
    grpcStatus: "DEADLINE_EXCEEDED",
  },
  RTT_ERR_QC_TRIP: {
    meaning:
      "A QuickConnect link tripped: the peer broke the protocol, failed to bind, or went away.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_QC_SWITCH: {
    meaning:
      "A hot swap (qc A -> B) failed: the new target is not there; the source stays on the old one.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_AUDIT_TAMPERED: {
    meaning:
      "The audit ledger fails verification: a record was edited, deleted, reordered or truncated.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_WAL_CORRUPT: {
    meaning:
      "The WAL is damaged before its tail (bad length, checksum or sequence); records after the damage are not trusted.",
    exitCode: 1,
    grpcStatus: "INTERNAL",
  },
  RTT_ERR_WAL_UNWRITABLE: {
    meaning:
      "The WAL or the audit ledger could not be written (a full or failing disk). The failed record was cut back and nothing changed; if cutting back failed too, the panel refuses every commit until it restarts.",
    exitCode: 1,
    grpcStatus: "UNAVAILABLE",
  },
  RTT_ERR_WAL_LOCKED: {
    meaning: "Another live panel holds this .rtt/ folder's lock; the message names its pid.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_WAL_STATE: {
    meaning:
      "A WAL call does not fit the journal: unknown or finished transaction, closed log, unknown rollback sequence.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_PLAN_STALE: {
    meaning:
      "A saved plan no longer fits: its inputs (catalog, routes, policy, panel.yaml) or the committed topology changed since it was made.",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_PLAN_INVALID: {
    meaning:
      "A plan cannot be applied: it is not a plan file, or some of its routes cannot be wired (each problem is named).",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_PLAN_MISMATCH: {
    meaning:
      "ApplyPlan was sent a plan that is not the one the panel makes from the workspace's routes.json, policy.json, panel.yaml and catalog against its live wiring: refused, nothing applied (the first difference is named).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_REQUEST_INVALID: {
    meaning:
      "A panel API request has a field that is not valid: a route id routes.json would refuse, a text too long or with control characters (the field is named).",
    exitCode: 1,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_API_BUSY: {
    meaning:
      "The panel already has as many streams open as panel.yaml's api.max_streams allows (or api.max_streams_per_connection on this connection): the new stream is refused at once.",
    exitCode: 1,
    grpcStatus: "RESOURCE_EXHAUSTED",
  },
  RTT_ERR_NOT_OWNER: {
    meaning:
      "Only the panel's owner may do this (Shutdown): a process of the user the panel runs as, or a capability token that carries the action when security.require_tokens is on.",
    exitCode: 1,
    grpcStatus: "PERMISSION_DENIED",
  },
  RTT_ERR_APPLY_FAILED: {
    meaning:
      "A batch of an apply failed and was rolled back: the routes of that batch keep their old wiring, later batches were not run.",
    exitCode: 1,
    grpcStatus: "ABORTED",
  },
  RTT_ERR_UI_REFUSED: {
    meaning:
      "`rtt ui`'s server refused a request: its Host header does not name the address served, it came from another origin, or it lacks the secret of this run (the address `rtt ui` printed carries it after `#`).",
    exitCode: 1,
    grpcStatus: "PERMISSION_DENIED",
  },
  RTT_ERR_PANEL_UNREACHABLE: {
    meaning:
      "No panel answers on the workspace's socket, and starting one failed or timed out (its log's last lines are quoted).",
    exitCode: 1,
    grpcStatus: "UNAVAILABLE",
  },
  RTT_ERR_ADOPT: {
    meaning:
      "`rtt adopt` cannot write a manifest for an address: it names no symbol, several, or claims in conflict; the symbol already comes from a manifest; or the manifest file exists (--force replaces it).",
    exitCode: 1,
    grpcStatus: "FAILED_PRECONDITION",
  },
  RTT_ERR_USAGE: {
    meaning: "The command line is wrong: unknown command, option or argument.",
    exitCode: 2,
    grpcStatus: "INVALID_ARGUMENT",
  },
  RTT_ERR_INTERNAL: {
    meaning: "A bug in RTT: please report it with the command that triggered it.",
    exitCode: 1,
    grpcStatus: "INTERNAL",
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Where in a source text an error is, 1-based like every editor. */
export interface SourcePosition {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

export interface RttErrorOptions {
  readonly hint?: string;
  readonly position?: SourcePosition;
  readonly cause?: unknown;
}

// A registry-wide symbol, so `instanceof RttError` holds across two installed copies of core.
const kRttError = Symbol.for("rtt.core.error");

export class RttError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly position: SourcePosition | undefined;

  constructor(code: ErrorCode, message: string, options: RttErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RttError";
    this.code = code;
    this.hint = options.hint;
    this.position = options.position;
    Object.defineProperty(this, kRttError, { value: true });
  }

  get exitCode(): 1 | 2 {
    return ERROR_CATALOG[this.code].exitCode;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && kRttError in value;
  }
}

export type Severity = "error" | "warning";

/** One finding about one place in one file; the scanner and validators report lists of these. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: ErrorCode;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly hint?: string;
}

const SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  EACCES: "no permission",
  EPERM: "not permitted",
  EISDIR: "it is a folder",
  ENOTDIR: "part of the path is a file, not a folder",
  EEXIST: "it already exists",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "over the disk quota",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symlinks (a loop?)",
  EMFILE: "too many open files",
};

/**
 * A file-system failure (Node's `ENOENT`, `EACCES`, … with `syscall` and `path`) as an
 * RTT_ERR_IO naming what could not be done to which path; undefined for anything else.
 */
export function fromSystemError(error: unknown): RttError | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as NodeJS.ErrnoException & { dest?: string };
  const reason = e.code === undefined ? undefined : SYSTEM_REASONS[e.code];
  if (reason === undefined || e.syscall === undefined) return undefined;
  // A read of an open descriptor names no path (EISDIR from readFileSync of a folder).
  const what = `${e.syscall}${e.path === undefined ? "" : ` ${e.path}`}${e.dest === undefined ? "" : ` to ${e.dest}`}`;
  return new RttError("RTT_ERR_IO", `cannot ${what}: ${reason}`, { cause: error });
}

/** Orders diagnostics by file, then position, so reports are stable run to run. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** `file:line:col: error CODE: message` — the shape compilers use, so editors can jump to it. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
  return d.hint === undefined ? head : `${head}\n  hint: ${d.hint}`;
}
