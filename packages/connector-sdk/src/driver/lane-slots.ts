/**
 * Which lanes a link (link.ts) is bound to, and how it comes to them: a Bind connects to the
 * addresses the panel passed on, an Offer listens for a peer and binds it when it connects, a
 * Switch moves the outbound to another lane (or parks it) at a frame boundary. Each side holds
 * one lane at a time. The inbound lane's reader is handed to the inbound side (inbound-tx.ts);
 * the outbound lane's writer is kept here, where the outbound pump (outbound-pump.ts) reads it
 * before every write.
 *
 * Switch: the new lane is connected before anything changes, so a failed Switch leaves the
 * link as it was; then the old lane gets EOS after every frame already written to it.
 */
import { errorMessage, RttError } from "@rtt/core";
import {
  connectReader,
  type LaneAddress,
  type LaneKind,
  type LaneListener,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
} from "@rtt/fabric";
import { withTimeout } from "./connector-call.ts";
import { dropListener } from "./lane-ends.ts";
import type { LinkScope } from "./link-scope.ts";
import { laneAddressKey, StandbyWriters } from "./standby-writers.ts";

/** Which side of a link a lane is for. */
export type LaneSide = "inbound" | "outbound";

/**
 * What a Switch answers: the old lane's EOS sequence number and the messages it carried (DATA
 * frames, a batch frame counting its messages).
 */
export interface SwitchAnswer {
  readonly old_eos_seq: number;
  readonly old_frames: number;
}

/** A Switch, by where it moved the outbound: a lane's key, or "parked". */
interface LastSwitch {
  readonly to: string;
  readonly answer: Promise<SwitchAnswer>;
  /** The link's outbound move count right after it moved; undefined while under way. */
  moves?: number;
}

/** The inbound side as the slots see it: whether it holds a lane, and where a new reader goes. */
export interface InboundSide {
  readonly bound: boolean;
  attach(reader: LaneReader): void;
}

/** An outbound lane: usable until its writer fails; the messages written to it. */
interface OutboundLane {
  readonly kind: "lane";
  readonly writer: LaneWriter;
  /** Where it leads (ListLinks says so: a restarted panel learns each source's target). */
  readonly address: LaneAddress;
  failed: boolean;
  frames: number;
}

/** The outbound: never bound, parked (a held route: chunks wait at this end), or a lane. */
type Outbound = { readonly kind: "none" } | { readonly kind: "parked" } | OutboundLane;

export class LaneSlots {
  readonly #scope: LinkScope;
  readonly #inbound: InboundSide;
  /** Told of each writer the outbound takes, once it is in place (the pump starts or ends it). */
  readonly #outboundTaken: (writer: LaneWriter) => void;
  /** Told when an Offer of the outbound listens for its peer (the pump starts pulling rx). */
  readonly #outboundOffered: () => void;
  #outbound: Outbound = { kind: "none" };
  /** Listeners of Offers not yet taken by a peer, by side. */
  readonly #offers = new Map<LaneSide, LaneListener<LaneReader> | LaneListener<LaneWriter>>();
  /** Writers to lanes a handshake agreed on, connected ahead of the Bind or Switch. */
  readonly #standby: StandbyWriters;
  /** Times the outbound moved (a lane taken, or parked): tells a repeated Switch from a new one. */
  #moves = 0;
  /** The last Switch: where to, its answer, and `#moves` once it moved (see switchOutbound). */
  #lastSwitch: LastSwitch | undefined;
  /** The lane the inbound side reads, or listens on for its peer. */
  #inboundAddress: LaneAddress | undefined;

  constructor(
    scope: LinkScope,
    inbound: InboundSide,
    outboundTaken: (writer: LaneWriter) => void,
    outboundOffered: () => void,
  ) {
    this.#scope = scope;
    this.#inbound = inbound;
    this.#outboundTaken = outboundTaken;
    this.#outboundOffered = outboundOffered;
    this.#standby = new StandbyWriters(scope.log);
  }

  /** The outbound lane's writer, while there is one that has not failed. */
  get writer(): LaneWriter | undefined {
    const out = this.#outbound;
    return out.kind === "lane" && !out.failed ? out.writer : undefined;
  }

  /**
   * Where the link's lanes are now: the outbound lane it writes (none when parked, unbound or
   * failed) and the inbound lane it reads or listens on. ListLinks reports them.
   */
  get lanes(): { readonly outbound?: LaneAddress; readonly inbound?: LaneAddress } {
    const out = this.#outbound;
    return {
      ...(out.kind === "lane" && !out.failed ? { outbound: out.address } : {}),
      ...(this.#inboundAddress === undefined ? {} : { inbound: this.#inboundAddress }),
    };
  }

  /** The outbound lane's reader takes batch frames (its address says so). */
  get writerTakesBatches(): boolean {
    const out = this.#outbound;
    return out.kind === "lane" && out.address.batches === true;
  }

  /** Parked by a Switch to no lane: chunks wait here, taps or not. */
  get parked(): boolean {
    return this.#outbound.kind === "parked";
  }

  /**
   * `messages` more went on the outbound lane, in one DATA frame (a batch) or one each (a
   * Switch answers how many: messages, as the target counts what it takes).
   */
  frameWritten(messages = 1): void {
    if (this.#outbound.kind === "lane") this.#outbound.frames += messages;
  }

  /** A write to the outbound lane threw: the lane is not written again until a move. */
  writeFailed(error: unknown): void {
    if (this.#outbound.kind === "lane") this.#outbound.failed = true;
    this.#scope.laneFailed("outbound", `outbound lane: ${errorMessage(error)}`);
  }

  async bind(
    inbound: LaneAddress | undefined,
    outbound: LaneAddress | undefined,
  ): Promise<{ inbound_bound: boolean; outbound_bound: boolean }> {
    this.#scope.assertOpen();
    if (inbound !== undefined) this.#assertFree("inbound");
    if (outbound !== undefined) this.#assertFree("outbound");
    // Connect both before changing anything: a Bind that fails leaves the link as it was.
    const reader = inbound === undefined ? undefined : await connectReader(inbound);
    // Held until the inbound side listens (attach): frames the reader took while the outbound
    // connects would be emitted to nobody and lost (a stream's first records, now and then).
    reader?.pause();
    let writer: LaneWriter | undefined;
    try {
      writer = outbound === undefined ? undefined : await this.#standby.take(outbound);
    } catch (error) {
      reader?.close();
      throw error;
    }
    if (this.#scope.closed) {
      reader?.close();
      writer?.destroy();
      this.#scope.assertOpen();
    }
    if (reader !== undefined) {
      this.#inboundAddress = inbound;
      this.#inbound.attach(reader);
    }
    if (writer !== undefined && outbound !== undefined) this.#useWriter(writer, outbound);
    return { inbound_bound: this.#inbound.bound, outbound_bound: this.writer !== undefined };
  }

  /**
   * Moves the outbound side to a new lane at a frame boundary; the old lane gets EOS after
   * what was written to it. Returns the EOS's sequence number and the DATA frames it carried.
   * With no address the outbound is *parked* (a held route): EOS on the old lane and no new
   * one, so chunks wait at this end — the route's admission buffers them, then rx is not
   * pulled and the producer is paused — until a Switch to a lane moves them on.
   *
   * Idempotent: a Switch asked again to where the last one moved (its answer was lost to a
   * timeout on the caller's side) gets the first one's answer, while the outbound has not moved
   * since, and joins it while it is under way — so the caller can tell "switched, answer lost"
   * from "not switched" without ending the lane the link now writes to.
   */
  switchOutbound(address: LaneAddress | undefined): Promise<SwitchAnswer> {
    const to = address === undefined ? "parked" : laneAddressKey(address);
    const last = this.#lastSwitch;
    if (last?.to === to && (last.moves === undefined || last.moves === this.#moves))
      return last.answer;
    const entry: LastSwitch = {
      to,
      answer: this.#switchOutbound(address).then(({ answer, moves }) => {
        entry.moves = moves;
        return answer;
      }),
    };
    this.#lastSwitch = entry;
    entry.answer.catch(() => {
      if (this.#lastSwitch === entry) this.#lastSwitch = undefined;
    });
    return entry.answer;
  }

  async #switchOutbound(
    address: LaneAddress | undefined,
  ): Promise<{ answer: SwitchAnswer; moves: number }> {
    this.#scope.assertOpen();
    if (this.#offers.has("outbound"))
      throw this.#alreadyBound(
        "outbound",
        "an Offer for it is waiting for its peer; close the link",
      );
    const next = address === undefined ? undefined : await this.#standby.take(address);
    if (this.#scope.closed) {
      next?.destroy();
      this.#scope.assertOpen();
    }
    // The outbound as it was before the move: its slot, its writer if usable, its frames.
    const old = this.#outbound;
    const oldWriter = this.writer;
    const oldFrames = old.kind === "lane" ? old.frames : 0;
    if (next !== undefined && address !== undefined) this.#useWriter(next, address);
    else this.#park();
    const moves = this.#moves;
    let eosSeq = 0;
    if (oldWriter !== undefined) {
      const ended = oldWriter.end();
      eosSeq = oldWriter.seq;
      ended.catch((error) =>
        this.#scope.log(`link ${this.#scope.id}: old lane after switch: ${errorMessage(error)}`),
      );
    } else if (old.kind === "lane") {
      old.writer.destroy();
    }
    return { answer: { old_eos_seq: eosSeq, old_frames: oldFrames }, moves };
  }

  /**
   * Listens for one side of the link and binds it when the peer connects (driver-to-driver
   * wiring: this driver offers, the other binds). Returns the address for the peer.
   */
  async offer(side: LaneSide, kind: LaneKind, capacity?: number): Promise<LaneAddress> {
    this.#scope.assertOpen();
    this.#assertFree(side);
    const options = capacity === undefined || capacity === 0 ? {} : { capacity };
    if (side === "inbound") {
      const listener = await listenReader(kind, options);
      this.#claim(side, listener);
      // The inbound side unpacks batch frames (inbound-tx.ts): its writer may send them.
      const address: LaneAddress = { ...listener.address, batches: true };
      this.#inboundAddress = address;
      listener.accepted.then(
        (reader) => {
          this.#offers.delete(side);
          if (this.#scope.closed) reader.close();
          else this.#inbound.attach(reader);
        },
        (error: unknown) => this.#offerFailed(side, listener, error),
      );
      return address;
    }
    const listener = await listenWriter(kind, options);
    this.#claim(side, listener);
    this.#outboundOffered();
    listener.accepted.then(
      (writer) => {
        this.#offers.delete(side);
        if (this.#scope.closed) writer.destroy();
        else this.#useWriter(writer, listener.address);
      },
      (error: unknown) => this.#offerFailed(side, listener, error),
    );
    return listener.address;
  }

  /** Closes the listener of `side`'s Offer, not yet taken (its handshake failed). */
  withdrawOffer(side: LaneSide): void {
    const listener = this.#offers.get(side);
    this.#offers.delete(side);
    if (side === "inbound" && listener !== undefined) this.#inboundAddress = undefined;
    listener?.close();
  }

  /** Connects a standby writer to a lane a handshake agreed on; none once the link closed. */
  async connectStandby(address: LaneAddress): Promise<void> {
    if (!this.#scope.closed) await this.#standby.connect(address);
    if (this.#scope.closed) this.#standby.destroyAll();
  }

  /**
   * The link closes: standby writers and Offers not taken are dropped, and the outbound lane
   * gets EOS, waited for up to `drainMs` (then, or for a failed lane, it is destroyed).
   */
  async close(drainMs: number): Promise<void> {
    this.#standby.destroyAll();
    for (const listener of this.#offers.values()) listener.close();
    this.#offers.clear();
    const out = this.#outbound;
    if (out.kind !== "lane") return;
    if (out.failed) return out.writer.destroy();
    try {
      await withTimeout(out.writer.end(), drainMs, "EOS");
    } catch {
      out.writer.destroy();
    }
  }

  /**
   * Takes an Offer's new listener for `side`, unless the link was closed (a shutdown) or the side
   * taken (another Offer, a Bind) while the listener was being made: then it is closed here —
   * nobody else would, and its socket file would outlive the driver — and the reason thrown.
   */
  #claim(side: LaneSide, listener: LaneListener<LaneReader> | LaneListener<LaneWriter>): void {
    try {
      this.#scope.assertOpen();
      this.#assertFree(side);
    } catch (error) {
      dropListener(listener);
      throw error;
    }
    this.#offers.set(side, listener);
  }

  #offerFailed(side: LaneSide, listener: { close(): void }, error: unknown): void {
    if (this.#offers.get(side) === listener) this.#offers.delete(side);
    if (!this.#scope.closed) {
      this.#scope.laneFailed(side, `${side} lane offer: ${errorMessage(error)}`);
      this.#scope.log(`link ${this.#scope.id}: ${side} offer failed: ${errorMessage(error)}`);
    }
  }

  #assertFree(side: LaneSide): void {
    if (this.#offers.has(side))
      throw this.#alreadyBound(side, "an Offer for it is waiting for its peer");
    if (side === "inbound" && this.#inbound.bound)
      throw this.#alreadyBound("inbound", "close the link and open a new one");
    if (side === "outbound" && this.writer !== undefined)
      throw this.#alreadyBound("outbound", "use Switch to move it to another lane");
  }

  #alreadyBound(side: string, hint: string): RttError {
    return new RttError(
      "RTT_ERR_DRIVER_LINK",
      `link ${this.#scope.id} already has an ${side} lane`,
      { hint },
    );
  }

  /** No outbound lane: the pump waits (see OutboundPump) for the next Switch, or close. */
  #park(): void {
    this.#moves++;
    this.#outbound = { kind: "parked" };
    this.#scope.outboundMoved();
    this.#scope.changed.fire();
  }

  #useWriter(writer: LaneWriter, address: LaneAddress): void {
    this.#moves++;
    const slot: OutboundLane = { kind: "lane", writer, address, failed: false, frames: 0 };
    this.#outbound = slot;
    this.#scope.outboundMoved();
    writer.on("error", (error: unknown) => {
      if (this.#outbound !== slot) return; // an old lane after a switch: not this link's state
      slot.failed = true;
      // A Switch that moved here is answered no more: a new listener may get its address (a
      // TCP port used again), and a Switch to it must move.
      this.#lastSwitch = undefined;
      this.#scope.laneFailed("outbound", `outbound lane: ${errorMessage(error)}`);
      this.#scope.changed.fire();
    });
    this.#outboundTaken(writer);
  }
}
