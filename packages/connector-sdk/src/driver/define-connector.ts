/**
 * What a connector author writes (docs/design.md §Connectors): six functions over the author's own
 * link type. Everything else — the handshake, the gRPC service, lanes, heartbeats, health streams,
 * switching and the grace period — is the SDK runtime's job.
 */
import { type Contract, isLaneKind, LANE_KINDS, type LaneKind, RttError } from "@rtt/core";
import type { DrainEnd } from "../process/drain.ts";
import type { SourceJournal } from "./journal-tee.ts";

export type Awaitable<T> = T | Promise<T>;

/** A link's health as the connector sees it (its `health` function). */
export interface LinkHealth {
  readonly ok: boolean;
  /** How far behind the symbol is, in milliseconds (0 when the connector cannot tell). */
  readonly lag_ms: number;
  /** Why not ok. */
  readonly err?: string;
  /**
   * Cumulative messages the symbol failed (a connection refused, a timeout, a 5xx answer, a
   * program that exited non-zero or whose stdin broke): the route's errors, fed to its error
   * rate and breaker. Absent = the connector does not count them (a not-ok sample is one).
   */
  readonly errors?: number;
  /** Cumulative messages the symbol refused as the sender's fault (4xx): counted apart. */
  readonly client_errors?: number;
  /**
   * Messages the symbol took and lost unacknowledged so far (ADR 0024): a program that died
   * (non-zero, or by a signal) with them in its pipe or its buffers.
   */
  readonly unaccounted?: number;
}

/** What the runtime knows about a message besides its bytes. */
export interface TxMeta {
  /** The frame's correlation id (0 = none): answer with the same id to pair a reply. */
  readonly correlation: number;
}

/** An rx chunk with a correlation id for its frame (a plain Uint8Array gets 0). */
export interface RxMessage {
  readonly payload: Uint8Array;
  readonly correlation: number;
}

/**
 * Optional on the iterator `rx` returns: the next chunk if one is ready now, else undefined
 * (none yet, or the end: `next()` tells which). A consumer takes what is ready without a promise
 * and a microtask turn per chunk; it never calls it while a `next()` of its own is pending, so the
 * order holds.
 */
export interface RxTakeNow {
  takeNow(): Uint8Array | RxMessage | undefined;
}

/** `iterator`'s `takeNow`, bound, if it has one (see RxTakeNow). */
export function takeNowOf(
  iterator: AsyncIterator<Uint8Array | RxMessage>,
): (() => Uint8Array | RxMessage | undefined) | undefined {
  const take = (iterator as Partial<RxTakeNow>).takeNow;
  return typeof take === "function" ? take.bind(iterator) : undefined;
}

/** What the runtime gives `open` besides the symbol and the route's params. */
export interface OpenContext {
  /**
   * A directory that outlives this driver process, for what its successor must find: given to
   * both ends of a journaled (`buffer`) route, one per end. A connector that runs a program
   * keeps it adoptable there (the process connector), so a driver crash does not end it.
   */
  readonly stateDir?: string;
  /**
   * At the source end of a journaled route: append every byte read from the symbol before
   * cutting it into messages, send each message with its end offset as correlation id, replay
   * `undelivered()` first, and stop reading while `full` (see route-journal.ts).
   */
  readonly journal?: SourceJournal;
  /**
   * The link is its route's source end: a program there is not drained when the link closes
   * (ADR 0024 drains targets, which may hold what they took); it is ended at once.
   */
  readonly source?: boolean;
}

/** How a link is closed. */
export interface CloseHow {
  /**
   * Leave what outlives the driver for the next link of the same end (the panel rewires the
   * route because its other end's driver died): a program in OpenContext.stateDir keeps
   * running, adoptable. A connector with nothing of the kind closes as usual.
   */
  readonly detach: boolean;
}

/**
 * How a link's program ended when the link closed (ADR 0024): a connector that runs a program
 * at a route's target end drains it and says so; others report nothing.
 */
export interface CloseReport {
  /** By itself after its input ended, after SIGTERM, or by SIGKILL (process/drain.ts). */
  readonly ended: DrainEnd;
  /** Its exit code (null: killed by a signal, or not our child). */
  readonly code: number | null;
  /** The signal that ended it, if one did. */
  readonly signal: string | null;
  /** Messages the link's programs took (their pipes accepted them). */
  readonly frames: number;
  /**
   * Of those, the ones no program acknowledged (ADR 0024: a program acknowledges what it took
   * by exiting 0 after its input ended): taken by this one when it did not, and by any that
   * died before it.
   */
  readonly unaccounted: number;
  /** How long it had to finish after its input ended (the symbol's `x-drain-ms`). */
  readonly drainMs: number;
}

/** A close report in words, for the logs: `exited 0 after EOF (1200 frames taken)`. */
export function describeClose(report: CloseReport): string {
  const how =
    report.ended === "exited"
      ? `exited ${report.code ?? (report.signal === null ? "(status unknown)" : report.signal)} after EOF`
      : report.ended === "terminated"
        ? `did not exit within ${report.drainMs} ms of EOF: terminated`
        : `did not exit within ${report.drainMs} ms of EOF nor on SIGTERM: killed`;
  const lost = report.unaccounted === 0 ? "" : `, ${report.unaccounted} unaccounted for`;
  return `program ${how} (${report.frames} frames taken${lost})`;
}

/** What `txMany` says: the messages taken, in order, and why the next one was refused. */
export interface TxManyResult {
  readonly taken: number;
  readonly error?: unknown;
}

export interface ConnectorSpec<L> {
  /** Lowercase name, e.g. "file": the prefix of this driver's lines in the host's log. */
  readonly name: string;
  /** The connector's version (semver). */
  readonly version: string;
  /**
   * The lane kinds this driver declares (ADR 0031; GetInfo's `lanes`, the handshake line's
   * field 10). Default: every kind this process can make — shm where the addon loads, uds,
   * tcp. A kind that cannot be made here is left out whatever is listed.
   */
  readonly lanes?: readonly LaneKind[];
  /**
   * The route parameters `open` reads. A route's params go to both of its ends' drivers, so a
   * source whose driver lists them shares its one program among its one-way routes (fan-out,
   * ADR 0025) whatever they set for the other end (the file driver's `append`); a listed one
   * set differently gives the source a program of its own. Default: every parameter counts.
   */
  readonly params?: readonly string[];
  /** The symbols found under `root`, as contracts (the `symbol` object of a manifest). */
  probe(root: string): Awaitable<readonly Contract[]>;
  /** Opens a link to one symbol; `params` are the route's connector parameters. */
  open(
    symbol: Contract,
    params: Readonly<Record<string, string>>,
    context: OpenContext,
  ): Awaitable<L>;
  /**
   * Hands one message to the symbol. Calls never overlap: the next waits for this one. `meta`
   * carries the frame's correlation id, for connectors that answer requests.
   */
  tx(link: L, bytes: Uint8Array, meta: TxMeta): Awaitable<void>;
  /**
   * Optional: `tx` copies whatever of its `bytes` it still needs once it has returned (a
   * program's pipe: the part a write did not take), so it may be handed a view of the inbound
   * lane's ring, valid only during the call, instead of a copy of every message. Not `txMany`.
   */
  readonly txBorrows?: boolean;
  /**
   * Optional: hands several messages to the symbol at once, in order, where that is cheaper
   * than one `tx` each (a program's pipe: one write(2) for many lines). For messages with no
   * correlation to answer; not used at a journaled route's target, whose every message is
   * marked once the symbol has it. Calls never overlap with each other nor with `tx`. Resolves once the
   * symbol has them, with how many of them, in order, it took; fewer than all when the next was
   * refused (`error`, counted as a failed `tx`; the messages after it come again).
   */
  txMany?(link: L, messages: readonly Uint8Array[]): Promise<TxManyResult>;
  /**
   * What the symbol produces, one chunk per frame. Iterated once per link — once per handle
   * when several one-way routes' source links share one (fan-out, ADR 0025) — only while someone
   * consumes (an outbound lane or a tap), so a slow lane slows the iteration down: that is
   * the backpressure. Ending the iteration ends the outbound lane with EOS. A chunk given as
   * `{ payload, correlation }` goes out with that correlation id (a reply to a `tx`).
   */
  rx(link: L): AsyncIterable<Uint8Array | RxMessage>;
  /**
   * Optional: the SDK is done with a chunk `rx` yielded — it was copied onto a lane, and nothing
   * else kept it — so its memory is the connector's again (a program's read buffer, reused).
   * Called at most once per chunk, and not for every chunk: a chunk a tap, an in-process lane,
   * a fan-out to several routes or a refusal kept is never released. So a connector reuses a
   * chunk's memory only after this call, and lets the garbage collector have what never gets one.
   */
  rxRelease?(link: L, chunk: Uint8Array): void;
  /**
   * Releases the link; should also end the iteration `rx` returned. A handle shared by several
   * routes (fan-out) is closed once, when the last of them goes. A connector that runs a
   * program drains it (ADR 0024) and reports how it ended.
   */
  close(link: L, how: CloseHow): Awaitable<CloseReport | undefined> | Awaitable<void>;
  health(link: L): Awaitable<LinkHealth>;
  /**
   * Optional: a message `rx` produced that the route's `nack` policy refused (over its rate, or
   * its lane full), with why. The NACK to the sender: a connector whose producer waits for an
   * answer tells it now instead of letting it time out — the http connector answers the
   * request 503 with Retry-After. Not called for `taildrop` (a drop is silent by definition).
   */
  refuse?(link: L, message: RxMessage, why: string): Awaitable<void>;
}

const kConnector = Symbol.for("rtt.connector-sdk.connector");

/** A checked connector definition, ready for `serveDriver` or the in-process harness. */
export type Connector<L = unknown> = ConnectorSpec<L> & { readonly [kConnector]: true };

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const FUNCTIONS = ["probe", "open", "tx", "rx", "close", "health"] as const;

export function defineConnector<L>(spec: ConnectorSpec<L>): Connector<L> {
  const wrong = (what: string) =>
    new RttError("RTT_ERR_DRIVER_CALL", `defineConnector: ${what}`, {
      hint: "see docs/connectors.md for a complete example",
    });
  if (typeof spec.name !== "string" || !NAME.test(spec.name))
    throw wrong(`name must be lowercase letters, digits and "-", got ${JSON.stringify(spec.name)}`);
  if (typeof spec.version !== "string" || !SEMVER.test(spec.version))
    throw wrong(`version must be semver (1.2.3), got ${JSON.stringify(spec.version)}`);
  for (const f of FUNCTIONS) {
    if (typeof spec[f] !== "function") throw wrong(`${f} must be a function`);
  }
  if (spec.refuse !== undefined && typeof spec.refuse !== "function")
    throw wrong("refuse must be a function when given");
  if (spec.txMany !== undefined && typeof spec.txMany !== "function")
    throw wrong("txMany must be a function when given");
  if (spec.rxRelease !== undefined && typeof spec.rxRelease !== "function")
    throw wrong("rxRelease must be a function when given");
  if (spec.txBorrows !== undefined && typeof spec.txBorrows !== "boolean")
    throw wrong("txBorrows must be a boolean when given");
  if (spec.lanes !== undefined && (!Array.isArray(spec.lanes) || !spec.lanes.every(isLaneKind)))
    throw wrong(`lanes must list lane kinds (${LANE_KINDS.join(", ")})`);
  if (
    spec.params !== undefined &&
    (!Array.isArray(spec.params) || !spec.params.every((p) => typeof p === "string"))
  )
    throw wrong("params must list the names of the route parameters open reads");
  // Bound, so a spec written as a class instance keeps its `this`.
  return Object.freeze({
    name: spec.name,
    version: spec.version,
    probe: spec.probe.bind(spec),
    open: spec.open.bind(spec),
    tx: spec.tx.bind(spec),
    rx: spec.rx.bind(spec),
    close: spec.close.bind(spec),
    health: spec.health.bind(spec),
    ...(spec.refuse === undefined ? {} : { refuse: spec.refuse.bind(spec) }),
    ...(spec.txMany === undefined ? {} : { txMany: spec.txMany.bind(spec) }),
    ...(spec.rxRelease === undefined ? {} : { rxRelease: spec.rxRelease.bind(spec) }),
    ...(spec.txBorrows === undefined ? {} : { txBorrows: spec.txBorrows }),
    ...(spec.lanes === undefined ? {} : { lanes: [...spec.lanes] }),
    ...(spec.params === undefined ? {} : { params: [...spec.params] }),
    [kConnector]: true as const,
  });
}

export function isConnector(value: unknown): value is Connector {
  return typeof value === "object" && value !== null && kConnector in value;
}
