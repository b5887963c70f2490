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
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import { type Clock, systemClock } from "../clock.ts";
import { InitiatingHandshake } from "./initiating-handshake.ts";
import type { LinkScope } from "./link-scope.ts";
import { type AnswerTerms, RespondingHandshake } from "./responding-handshake.ts";

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
  /** The route token the panel gave this end, for the SYN (ADR 0018); absent: none is sent. */
  readonly token?: string;
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
/** Answers kept per link, by nonce. */
const ANSWERS_KEPT = 16;

/**
 * What one handshake needs of its link: the link's id (for messages), its log and clock, and a
 * place among the link's open handshakes, which the link's close stops.
 */
export interface HandshakeScope {
  readonly linkId: string;
  readonly log: (line: string) => void;
  readonly clock: Clock;
  /** Adds `stop` to what the link's close stops; the function returned takes it out again. */
  track(stop: () => void): () => void;
}

/**
 * The QuickConnect work of one link, at either end of its route: the responders answering on
 * control lanes it offered, the initiators it ran (and their answers, by nonce). Nothing new
 * starts once the link is closed; `close()` (the link closing) releases every control lane and
 * stops every handshake in flight.
 */
export class LinkHandshakes {
  readonly #link: LinkScope;
  readonly #scope: HandshakeScope;
  readonly #open = new Set<() => void>();
  readonly #answers = new Map<string, Promise<HandshakeAgreed>>();

  constructor(link: LinkScope) {
    this.#link = link;
    this.#scope = {
      linkId: link.id,
      log: link.log,
      clock: systemClock,
      track: (stop) => this.#track(stop),
    };
  }

  /** Control lanes and handshakes still in flight (0 once all ended). */
  get active(): number {
    return this.#open.size;
  }

  #track(stop: () => void): () => void {
    this.#open.add(stop);
    return () => this.#open.delete(stop);
  }

  /**
   * Listens for a route's control lanes and answers its one handshake: the SYN must expect
   * `contractHash` and may require only capabilities in `caps` (what this end offers); the
   * BIND must name `data`. The lanes are let go once the handshake ends, either way, or at
   * `close()`; an initiator that connects and stays silent holds them until then.
   */
  async answer(terms: AnswerTerms): Promise<ControlAddresses> {
    this.#link.assertOpen();
    const handshake = await RespondingHandshake.listen(this.#scope, terms);
    if (this.#link.closed) {
      handshake.stop();
      this.#link.assertOpen();
    }
    handshake.awaitInitiator();
    return handshake.control;
  }

  /**
   * Runs the handshake to READY as the initiator, from `saddr` (this link's address).
   * Idempotent by nonce: the same nonce gets the first call's answer, success or failure.
   */
  initiate(saddr: string, ask: HandshakeAsk): Promise<HandshakeAgreed> {
    this.#link.assertOpen();
    if (ask.nonce !== "") {
      const known = this.#answers.get(ask.nonce);
      if (known !== undefined) return known;
    }
    const nonce = ask.nonce === "" ? randomBytes(16).toString("hex") : ask.nonce;
    const timeoutMs = ask.timeoutMs > 0 ? ask.timeoutMs : DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const result = InitiatingHandshake.run(this.#scope, saddr, { ...ask, nonce }, timeoutMs);
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

  /** The link closed (once: Link.close): every control lane goes, every handshake in flight fails. */
  close(): void {
    for (const stop of [...this.#open]) stop();
    this.#answers.clear();
  }
}
