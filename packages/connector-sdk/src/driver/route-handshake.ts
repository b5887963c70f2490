/**
 * QuickConnect (ADR 0011) between the two driver processes of a route, run during the
 * panel's PREPARE, before any data flows:
 *
 *   panel ──Offer(inbound, handshake)──▶ target driver   listens: data lane + 2 control lanes
 *   panel ──Handshake(control, data)───▶ source driver   connects to the control lanes
 *   source (initiator) ──SYN {saddr, caps, contract_hash, nonce}──▶ target (responder)
 *                      ◀─ACK {caps, lane kind, buffer}───────────
 *                      ──BIND {lanes: [the target's data lane]}─▶  the target checks it is its own
 *                      ◀─READY────────────────────────────────────
 *   both ends close the control link; the panel's Bind (the flip) connects the data lane later.
 *
 * BIND carries exactly one lane, the address the target's Offer returned: the data lane is the
 * target's (it listens, ADR 0010), so BIND makes nothing; it proves to the target that the
 * handshake is about the lane it listens on. The control link ends at READY (or a trip): after
 * READY, liveness is the data lane's own HEARTBEAT frames, which the runtime already sends.
 *
 * What must hold: every control lane is released when its handshake ends or its link closes;
 * a handshake asked again with the same nonce answers what the first answered, without a
 * second handshake; a failure is the QuickConnectError naming the trip reason.
 */
import { randomBytes } from "node:crypto";
import { errorMessage, RttError } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  type LaneAddress,
  type LaneKind,
  type LaneListener,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
} from "@rtt/fabric";
import { type Clock, systemClock } from "../clock.ts";
import { type Initiator, initiate, type Responder, respond } from "../quickconnect/session.ts";
import { QuickConnectError } from "../quickconnect/trip.ts";

/** The two control lanes of a route's handshake; the responder listens on both. */
export interface ControlAddresses {
  /** The initiator writes SYN and BIND here. */
  readonly requests: LaneAddress;
  /** The responder writes ACK, READY and TRIP here. */
  readonly answers: LaneAddress;
}

/** What the initiator asks for. */
export interface HandshakeAsk {
  readonly control: ControlAddresses;
  /** The target's data lane, as its Offer returned it: BIND's one lane. */
  readonly data: LaneAddress;
  /** The target's concrete address as planned (for messages). */
  readonly expectSaddr: string;
  readonly expectContractHash: string;
  /** Capabilities the source offers. */
  readonly caps: readonly string[];
  /** Capabilities the target must offer. */
  readonly require: readonly string[];
  /** "" = a random one (and no answer cache). */
  readonly nonce: string;
  readonly timeoutMs: number;
}

/** What both ends agreed, as the READY'd ACK said. */
export interface HandshakeAgreed {
  readonly nonce: string;
  readonly caps: readonly string[];
  readonly lane: LaneKind;
  readonly capacity: number;
  readonly maxFrame: number;
  readonly heartbeatMs: number;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;
/** SYN (and BIND) resends within one handshake's deadline. */
const MAX_RETRIES = 3;
/** Answers kept per link, by nonce. */
const ANSWERS_KEPT = 16;

/** A control link needs no ring: shm data lanes get uds control lanes. */
export function controlKind(data: LaneKind): LaneKind {
  return data === "shm" ? "uds" : data;
}

function sameLane(a: LaneAddress, b: LaneAddress): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Releases a lane end that may or may not have been made. */
function dropEnd(end: LaneReader | LaneWriter | undefined): void {
  if (end === undefined) return;
  if (end.role === "reader") end.close();
  else end.destroy();
}

/**
 * Ends made before the session listens to them must not crash the process with an unheard
 * 'error' (the peer killed in between); the session hears every error itself.
 */
function quiet<E extends LaneReader | LaneWriter>(end: E): E {
  end.on("error", () => {});
  return end;
}

/** Closes a listener and, should its peer connect after all, the end it would make. */
export function dropListener(listener: LaneListener<LaneReader> | LaneListener<LaneWriter>): void {
  listener.close();
  (listener.accepted as Promise<LaneReader | LaneWriter>).then(dropEnd, () => {});
}

/**
 * The QuickConnect work of one link, at either end of its route: the responders answering on
 * control lanes it offered, the initiators it ran (and their answers, by nonce). `close()`
 * (the link closing) releases every control lane and stops every handshake in flight.
 */
export class LinkHandshakes {
  readonly #linkId: string;
  readonly #log: (line: string) => void;
  readonly #clock: Clock;
  readonly #open = new Set<() => void>();
  readonly #answers = new Map<string, Promise<HandshakeAgreed>>();
  #closed = false;

  constructor(linkId: string, log: (line: string) => void, clock: Clock = systemClock) {
    this.#linkId = linkId;
    this.#log = log;
    this.#clock = clock;
  }

  /** Control lanes and handshakes still in flight (0 once all ended). */
  get active(): number {
    return this.#open.size;
  }

  #track(stop: () => void): () => void {
    this.#open.add(stop);
    return () => this.#open.delete(stop);
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new RttError("RTT_ERR_DRIVER_LINK", `link ${this.#linkId} is closed`, {
        hint: "open the symbol again",
      });
  }

  // -------------------------------------------------------------------------------------------
  // Responder (the target end)

  /**
   * Listens for a route's control lanes and answers its one handshake: the SYN must expect
   * `contractHash` and may require only capabilities in `caps` (what this end offers); the
   * BIND must name `data`. The lanes are let go once the handshake ends, either way, or at
   * `close()`; an initiator that connects and stays silent holds them until then.
   */
  async answer(options: {
    readonly data: LaneAddress;
    readonly contractHash: string;
    readonly caps: readonly string[];
  }): Promise<ControlAddresses> {
    this.#assertOpen();
    const { data } = options;
    const kind = controlKind(data.kind);
    const requests = await listenReader(kind);
    let answers: LaneListener<LaneWriter>;
    try {
      answers = await listenWriter(kind);
    } catch (error) {
      dropListener(requests);
      throw error;
    }
    let session: Responder<LaneAddress> | undefined;
    let over = false;
    const stop = () => {
      if (over) return;
      over = true;
      untrack();
      if (session === undefined) {
        dropListener(requests);
        dropListener(answers);
      } else {
        session.close();
      }
    };
    const untrack = this.#track(stop);
    if (this.#closed) {
      stop();
      this.#assertOpen();
    }
    Promise.all([requests.accepted.then(quiet), answers.accepted.then(quiet)]).then(
      ([reader, writer]) => {
        if (over) {
          reader.close();
          writer.destroy();
          return;
        }
        const responder = respond<LaneAddress>(
          { reader, writer },
          {
            contractHash: options.contractHash,
            caps: options.caps,
            lanes: [data.kind],
            ...(data.kind === "shm" ? { capacity: data.capacity } : {}),
            clock: this.#clock,
            attach: async (bind) => {
              const [only] = bind.lanes;
              if (bind.lanes.length !== 1 || only === undefined || !sameLane(only, data))
                throw new RttError(
                  "RTT_ERR_LANE_ADDRESS",
                  `BIND names ${JSON.stringify(bind.lanes)}; this link listens on ${JSON.stringify(data)}`,
                );
              return data;
            },
          },
        );
        session = responder;
        let refused = false;
        responder.on("refused", (error: QuickConnectError) => {
          refused = true;
          this.#log(`link ${this.#linkId}: handshake refused: ${error.message}`);
        });
        responder.on("closed", (error: QuickConnectError | undefined) => {
          over = true;
          untrack();
          // After a refusal the initiator hangs up: that is no news.
          if (error !== undefined && error.reason !== "closed" && !refused)
            this.#log(`link ${this.#linkId}: handshake ended: ${error.message}`);
        });
        // The handshake is over at READY: the data lane carries the route from here on.
        responder.ready.then(
          () => responder.close(),
          () => {},
        );
      },
      () => {
        // A listener closed before its peer came: `stop` already let everything go.
      },
    );
    return { requests: requests.address, answers: answers.address };
  }

  // -------------------------------------------------------------------------------------------
  // Initiator (the source end)

  /**
   * Runs the handshake to READY as the initiator, from `saddr` (this link's address).
   * Idempotent by nonce: the same nonce gets the first call's answer, success or failure.
   */
  initiate(saddr: string, ask: HandshakeAsk): Promise<HandshakeAgreed> {
    this.#assertOpen();
    if (ask.nonce !== "") {
      const known = this.#answers.get(ask.nonce);
      if (known !== undefined) return known;
    }
    const nonce = ask.nonce === "" ? randomBytes(16).toString("hex") : ask.nonce;
    const result = this.#run(saddr, { ...ask, nonce });
    result.catch(() => {});
    if (ask.nonce !== "") {
      this.#answers.set(nonce, result);
      for (const key of this.#answers.keys()) {
        if (this.#answers.size <= ANSWERS_KEPT) break;
        this.#answers.delete(key);
      }
    }
    return result;
  }

  #run(saddr: string, ask: HandshakeAsk): Promise<HandshakeAgreed> {
    const timeoutMs = ask.timeoutMs > 0 ? ask.timeoutMs : DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const target = ask.expectSaddr === "" ? "the target" : ask.expectSaddr;
    return new Promise<HandshakeAgreed>((resolve, reject) => {
      let writer: LaneWriter | undefined;
      let reader: LaneReader | undefined;
      let session: Initiator<LaneAddress> | undefined;
      let over = false;
      const finish = (error: Error | undefined, agreed?: HandshakeAgreed) => {
        if (over) return;
        over = true;
        untrack();
        cancelDeadline();
        if (session !== undefined) session.close();
        else {
          dropEnd(writer);
          dropEnd(reader);
        }
        if (error !== undefined) reject(error);
        else if (agreed !== undefined) resolve(agreed);
      };
      const untrack = this.#track(() =>
        finish(
          new QuickConnectError(
            "closed",
            "local",
            `QuickConnect: link ${this.#linkId} was closed during its handshake with ${target}`,
          ),
        ),
      );
      const cancelDeadline = this.#clock.schedule(timeoutMs, () =>
        finish(
          new QuickConnectError(
            "timeout",
            "local",
            `QuickConnect: ${target} did not complete the handshake within ${timeoutMs} ms`,
          ),
        ),
      );
      const start = async () => {
        try {
          writer = quiet(await connectWriter(ask.control.requests));
          if (!over) reader = quiet(await connectReader(ask.control.answers));
        } catch (error) {
          dropEnd(writer);
          writer = undefined;
          return finish(
            new QuickConnectError(
              "peer-gone",
              "local",
              `QuickConnect: cannot reach the control lanes of ${target}: ${errorMessage(error)}`,
              { cause: error },
            ),
          );
        }
        if (over || reader === undefined) {
          // The deadline or the link's close came first.
          dropEnd(writer);
          dropEnd(reader);
          return;
        }
        const lanes = { writer, reader };
        try {
          session = initiate<LaneAddress>(lanes, {
            saddr,
            contractHash: ask.expectContractHash,
            caps: ask.caps,
            require: ask.require,
            lanes: [ask.data.kind],
            nonce: ask.nonce,
            clock: this.#clock,
            timings: {
              answerTimeoutMs: Math.max(1, Math.floor(timeoutMs / (MAX_RETRIES + 1))),
              maxRetries: MAX_RETRIES,
            },
            bind: async () => ({ lanes: [ask.data], value: ask.data }),
          });
        } catch (error) {
          return finish(error instanceof Error ? error : new Error(String(error)));
        }
        session.ready.then(
          ({ ack }) =>
            finish(undefined, {
              nonce: ack.nonce,
              caps: ack.caps,
              lane: ack.lane,
              capacity: ack.buffer.capacity,
              maxFrame: ack.buffer.max_frame,
              heartbeatMs: ack.heartbeat_ms,
            }),
          (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
        );
      };
      void start();
    });
  }

  /** The link closed: every control lane goes, every handshake in flight fails. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of [...this.#open]) stop();
    this.#answers.clear();
  }
}
