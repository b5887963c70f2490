/**
 * The source end of a route's handshake (route-handshake.ts): it connects to the target's
 * control lanes and runs the initiator session on them to READY, all within one deadline.
 */
import { asError, errorMessage } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  type LaneAddress,
  type LaneReader,
  type LaneWriter,
} from "@rtt/fabric";
import type { Clock } from "../clock.ts";
import type { Ack } from "../quickconnect/messages.ts";
import { type Initiator, initiate } from "../quickconnect/session.ts";
import { QuickConnectError } from "../quickconnect/trip.ts";
import { dropEnd, quiet } from "./lane-ends.ts";
import type { HandshakeAgreed, HandshakeAsk, HandshakeScope } from "./route-handshake.ts";

/** SYN (and BIND) resends within one handshake's deadline. */
const MAX_RETRIES = 3;

/** What both ends agreed, as the READY'd ACK said. */
function agreedFrom(ack: Ack): HandshakeAgreed {
  return {
    nonce: ack.nonce,
    caps: ack.caps,
    lane: ack.lane,
    capacity: ack.buffer.capacity,
    maxFrame: ack.buffer.max_frame,
    heartbeatMs: ack.heartbeat_ms,
  };
}

/**
 * One handshake this link runs as the initiator. It ends once, at the first of: READY, the
 * session's trip, the target's control lanes out of reach, the deadline, the link's close;
 * whatever it connected is let go then.
 */
export class InitiatingHandshake {
  readonly #saddr: string;
  readonly #ask: HandshakeAsk;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  /** The target as messages name it. */
  readonly #target: string;
  readonly #resolve: (agreed: HandshakeAgreed) => void;
  readonly #reject: (error: Error) => void;
  readonly #untrack: () => void;
  readonly #cancelDeadline: () => void;
  #writer: LaneWriter | undefined;
  #reader: LaneReader | undefined;
  #session: Initiator<LaneAddress> | undefined;
  #over = false;

  /** Runs the handshake from `saddr` (this link's address) to READY within `timeoutMs`. */
  static run(
    scope: HandshakeScope,
    saddr: string,
    ask: HandshakeAsk,
    timeoutMs: number,
  ): Promise<HandshakeAgreed> {
    return new Promise<HandshakeAgreed>((resolve, reject) => {
      const handshake = new InitiatingHandshake(scope, saddr, ask, timeoutMs, resolve, reject);
      void handshake.#connect();
    });
  }

  private constructor(
    scope: HandshakeScope,
    saddr: string,
    ask: HandshakeAsk,
    timeoutMs: number,
    resolve: (agreed: HandshakeAgreed) => void,
    reject: (error: Error) => void,
  ) {
    this.#saddr = saddr;
    this.#ask = ask;
    this.#clock = scope.clock;
    this.#timeoutMs = timeoutMs;
    this.#resolve = resolve;
    this.#reject = reject;
    const target = ask.expectSaddr === "" ? "the target" : ask.expectSaddr;
    this.#target = target;
    this.#untrack = scope.track(() =>
      this.#fail(
        new QuickConnectError(
          "closed",
          "local",
          `QuickConnect: link ${scope.linkId} was closed during its handshake with ${target}`,
        ),
      ),
    );
    this.#cancelDeadline = scope.clock.schedule(timeoutMs, () =>
      this.#fail(
        new QuickConnectError(
          "timeout",
          "local",
          `QuickConnect: ${target} did not complete the handshake within ${timeoutMs} ms`,
        ),
      ),
    );
  }

  /** Connects to the target's control lanes, then starts the session on them. */
  async #connect(): Promise<void> {
    try {
      this.#writer = quiet(await connectWriter(this.#ask.control.requests));
      if (!this.#over) this.#reader = quiet(await connectReader(this.#ask.control.answers));
    } catch (error) {
      dropEnd(this.#writer);
      this.#writer = undefined;
      this.#fail(
        new QuickConnectError(
          "peer-gone",
          "local",
          `QuickConnect: cannot reach the control lanes of ${this.#target}: ${errorMessage(error)}`,
          { cause: error },
        ),
      );
      return;
    }
    const writer = this.#writer;
    const reader = this.#reader;
    if (this.#over || writer === undefined || reader === undefined) {
      // The deadline or the link's close came first.
      dropEnd(writer);
      dropEnd(reader);
      return;
    }
    this.#initiate({ writer, reader });
  }

  #initiate(lanes: { writer: LaneWriter; reader: LaneReader }): void {
    const ask = this.#ask;
    let session: Initiator<LaneAddress>;
    try {
      session = initiate<LaneAddress>(lanes, {
        saddr: this.#saddr,
        contractHash: ask.expectContractHash,
        caps: ask.caps,
        require: ask.require,
        lanes: [ask.data.kind],
        nonce: ask.nonce,
        ...(ask.token === undefined ? {} : { token: ask.token }),
        clock: this.#clock,
        timings: {
          answerTimeoutMs: Math.max(1, Math.floor(this.#timeoutMs / (MAX_RETRIES + 1))),
          maxRetries: MAX_RETRIES,
        },
        bind: async () => ({ lanes: [ask.data], value: ask.data }),
      });
    } catch (error) {
      this.#fail(asError(error));
      return;
    }
    this.#session = session;
    session.ready.then(
      ({ ack }) => this.#succeed(agreedFrom(ack)),
      (error: unknown) => this.#fail(asError(error)),
    );
  }

  #succeed(agreed: HandshakeAgreed): void {
    if (this.#end()) this.#resolve(agreed);
  }

  #fail(error: Error): void {
    if (this.#end()) this.#reject(error);
  }

  /** Ends the handshake and lets its lanes go; false when it had ended already. */
  #end(): boolean {
    if (this.#over) return false;
    this.#over = true;
    this.#untrack();
    this.#cancelDeadline();
    if (this.#session !== undefined) this.#session.close();
    else {
      dropEnd(this.#writer);
      dropEnd(this.#reader);
    }
    return true;
  }
}
