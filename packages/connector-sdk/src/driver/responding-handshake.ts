/**
 * The target end of a route's handshake (route-handshake.ts): the two control lanes it listens
 * on, and the responder session that answers on them once the initiator has connected both.
 */
import { RttError } from "@rtt/core";
import {
  type LaneAddress,
  type LaneKind,
  type LaneListener,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
} from "@rtt/fabric";
import type { Bind, Syn } from "../quickconnect/messages.ts";
import { type Responder, respond } from "../quickconnect/session.ts";
import type { QuickConnectError } from "../quickconnect/trip.ts";
import { dropListener, quiet } from "./lane-ends.ts";
import type { ControlAddresses, HandshakeScope } from "./route-handshake.ts";
import { laneAddressKey } from "./standby-writers.ts";

/** What the responder holds the initiator to. */
export interface AnswerTerms {
  /** The data lane this link listens on: BIND must name it and nothing else. */
  readonly data: LaneAddress;
  /** The contract hash the SYN must expect. */
  readonly contractHash: string;
  /** What this end offers: the SYN may require only these. */
  readonly caps: readonly string[];
  /** The route token check (route-admission.ts); absent: every SYN is admitted. */
  readonly admit?: ((syn: Syn) => string | undefined) | undefined;
}

/** A control link needs no ring: shm data lanes get uds control lanes. */
function controlKind(data: LaneKind): LaneKind {
  return data === "shm" ? "uds" : data;
}

/** BIND proves the handshake is about the lane this link listens on: it names that one lane. */
async function checkBind(bind: Bind, data: LaneAddress): Promise<LaneAddress> {
  const [only] = bind.lanes;
  if (
    bind.lanes.length !== 1 ||
    only === undefined ||
    laneAddressKey(only) !== laneAddressKey(data)
  )
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `BIND names ${JSON.stringify(bind.lanes)}; this link listens on ${JSON.stringify(data)}`,
    );
  return data;
}

/**
 * One route's handshake this link answers. It holds its control lanes from `listen` until the
 * handshake ends (READY or a trip) or `stop()`: before the initiator connects both, as
 * listeners; after, as the responder session's. An initiator that connects and stays silent
 * holds them until `stop()`.
 */
export class RespondingHandshake {
  readonly #scope: HandshakeScope;
  readonly #terms: AnswerTerms;
  readonly #requests: LaneListener<LaneReader>;
  readonly #answers: LaneListener<LaneWriter>;
  readonly #untrack: () => void;
  #session: Responder<LaneAddress> | undefined;
  #over = false;

  /** Listens on both control lanes; when the second cannot listen, the first is let go. */
  static async listen(scope: HandshakeScope, terms: AnswerTerms): Promise<RespondingHandshake> {
    const kind = controlKind(terms.data.kind);
    const requests = await listenReader(kind);
    let answers: LaneListener<LaneWriter>;
    try {
      answers = await listenWriter(kind);
    } catch (error) {
      dropListener(requests);
      throw error;
    }
    return new RespondingHandshake(scope, terms, requests, answers);
  }

  private constructor(
    scope: HandshakeScope,
    terms: AnswerTerms,
    requests: LaneListener<LaneReader>,
    answers: LaneListener<LaneWriter>,
  ) {
    this.#scope = scope;
    this.#terms = terms;
    this.#requests = requests;
    this.#answers = answers;
    this.#untrack = scope.track(() => this.stop());
  }

  /** Where the initiator connects: what the target's Offer returns. */
  get control(): ControlAddresses {
    return { requests: this.#requests.address, answers: this.#answers.address };
  }

  /** Answers the handshake once the initiator has connected both control lanes. */
  awaitInitiator(): void {
    Promise.all([this.#requests.accepted.then(quiet), this.#answers.accepted.then(quiet)]).then(
      ([reader, writer]) => this.#respond(reader, writer),
      () => {
        // A listener closed before its peer came: `stop` already let everything go.
      },
    );
  }

  /** Lets the control lanes go, whether the initiator has connected or not. */
  stop(): void {
    if (this.#over) return;
    this.#over = true;
    this.#untrack();
    if (this.#session === undefined) {
      dropListener(this.#requests);
      dropListener(this.#answers);
    } else {
      this.#session.close();
    }
  }

  #respond(reader: LaneReader, writer: LaneWriter): void {
    if (this.#over) {
      reader.close();
      writer.destroy();
      return;
    }
    const { data, contractHash, caps, admit } = this.#terms;
    const responder = respond<LaneAddress>(
      { reader, writer },
      {
        contractHash,
        caps,
        ...(admit === undefined ? {} : { admit }),
        lanes: [data.kind],
        ...(data.kind === "shm" ? { capacity: data.capacity } : {}),
        clock: this.#scope.clock,
        attach: (bind) => checkBind(bind, data),
      },
    );
    this.#session = responder;
    this.#follow(responder);
  }

  /** Logs how the session ended, and ends it at READY. */
  #follow(responder: Responder<LaneAddress>): void {
    const { linkId, log } = this.#scope;
    let refused = false;
    responder.on("refused", (error: QuickConnectError) => {
      refused = true;
      log(`link ${linkId}: handshake refused: ${error.message}`);
    });
    responder.on("closed", (error: QuickConnectError | undefined) => {
      this.#over = true;
      this.#untrack();
      // After a refusal the initiator hangs up: that is no news.
      if (error !== undefined && error.reason !== "closed" && !refused)
        log(`link ${linkId}: handshake ended: ${error.message}`);
    });
    // The handshake is over at READY: the data lane carries the route from here on.
    responder.ready.then(
      () => responder.close(),
      () => {},
    );
  }
}
