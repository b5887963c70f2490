/**
 * The reading end of an shm lane (shm-lane.ts says how the lane is made and why no wake-up is
 * lost): it takes records off the ring, polls an empty ring for an adaptive budget
 * (spin-budget.ts), then parks on the doorbell — at once when its writer is in this process
 * and wakes it by a call (shm-link.ts, LocalBell).
 */
import { EventEmitter } from "node:events";
import { RttError } from "@rtt/core";
import { decodeFrame } from "../../frame/decode.ts";
import { FrameType } from "../../frame/format.ts";
import type { LaneReader } from "../../lane.ts";
import { peerGone } from "../stream/stream-lane.ts";
import type { ShmLink, ShmOptions } from "./shm-link.ts";
import { DEFAULT_MAX_SPIN_MICROS, SpinBudget } from "./spin-budget.ts";

/** Records handled per turn of the event loop before yielding to sockets and timers. */
const BATCH = 4096;
/** A poll turn this much later than the last (ms) means the reader lacked the CPU. */
const LATE_TURN_MS = 0.05;

export class ShmLaneReader extends EventEmitter implements LaneReader {
  readonly kind = "shm" as const;
  readonly role = "reader" as const;
  readonly #link: ShmLink;
  readonly #spin: SpinBudget;
  readonly #busyPoll: boolean;
  readonly #maxPayload: number | undefined;
  #eos = false;
  #failed = false;
  #draining = false;
  #paused = false;
  /** performance.now() when the ring was last found empty; undefined while records flow. */
  #emptySince: number | undefined;
  /** A polling turn is scheduled (see #pollTurn). */
  #polling = false;
  /** The write index the last polling turn saw: the next reads up to it (see #pollTurn). */
  #polled: number | undefined;
  /** performance.now() at the last poll of the empty ring; undefined before the first. */
  #lastPoll: number | undefined;
  /** The reader set its parked flag since the ring went empty. */
  #parked = false;
  /** The running drain's bound (`#drain`'s `until`; undefined: the write index as it goes). */
  #drainUntil: number | undefined;
  /** Paused in a drain: the write index it would have read up to, for `resume` to read at once. */
  #resumeUntil: number | undefined;
  /** False stops `ring.read` right after the record whose handler paused us. */
  readonly #onRecord = (record: Uint8Array): boolean => {
    this.#deliver(record);
    return !this.#paused;
  };

  constructor(link: ShmLink, options: ShmOptions) {
    super();
    this.#link = link;
    // Polling saves a wake-up through the kernel; a writer in this process wakes us by a call.
    this.#spin = new SpinBudget(
      link.local === undefined ? (options.spinMicros ?? DEFAULT_MAX_SPIN_MICROS) : 0,
    );
    this.#busyPoll = options.busyPoll ?? false;
    this.#maxPayload = options.maxPayload;
    link.socket.on("data", () => this.#drain());
    if (link.local !== undefined) link.local.reader = () => this.#drain();
    link.socket.on("error", () => {});
    link.socket.on("close", () => {
      if (!this.#eos) this.#fail(peerGone("shm", "doorbell socket closed before EOS"));
      link.release();
      this.emit("close");
    });
    this.#pollLater();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Stops consuming: records stay in the ring, which fills, and the writer parks on it. A
   * paused reader never parks itself (so the writer never rings for it) and ignores doorbells.
   */
  pause(): void {
    if (!this.#paused && this.#draining && !this.#link.released)
      this.#resumeUntil = this.#drainUntil ?? this.#link.ring.written();
    this.#paused = true;
    // A gap that spans a pause says nothing about the writer's pace.
    this.#emptySince = undefined;
    this.#lastPoll = undefined;
    this.#parked = false;
  }

  /**
   * Consumes again: what the drain it paused would have read, in a microtask (a consumer that
   * pauses while it is busy, and resumes when done, loses no turn per pause); the rest on a
   * later turn, as polling does. The first records it frees wake a parked writer as any read
   * does (`#drainLoop`: consume, then the writer's flag, rung once): the writer set its flag
   * before re-checking for room, so whichever of the two looks second sees the other.
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const until = this.#resumeUntil;
    this.#resumeUntil = undefined;
    if (until !== undefined) queueMicrotask(() => this.#drain(until));
    this.#pollLater();
  }

  #deliver(record: Uint8Array): void {
    if (this.#eos) return;
    const frame = decodeFrame(record, this.#maxPayload);
    if (frame.type === FrameType.EOS) {
      this.#eos = true;
      return;
    }
    this.emit("frame", frame);
  }

  /** Reads what the ring holds (`until`: up to that write index, see #pollTurn). */
  #drain(until?: number): void {
    if (this.#draining || this.#paused || this.#link.released) return;
    this.#draining = true;
    this.#drainUntil = until;
    try {
      this.#drainLoop(until);
    } catch (error) {
      this.#fail(
        error instanceof RttError ? error : new RttError("RTT_ERR_FRAME_CORRUPT", String(error)),
      );
      this.#link.socket.destroy();
    } finally {
      this.#draining = false;
    }
  }

  #drainLoop(until: number | undefined): void {
    const ring = this.#link.ring;
    let handled = 0;
    for (;;) {
      const n = ring.read(this.#onRecord, BATCH - handled, until);
      handled += n;
      if (n > 0 && this.#emptySince !== undefined) this.#arrived();
      if (n > 0 && ring.unparkWriter()) this.#link.ringWriter();
      if (this.#eos) {
        this.emit("end");
        this.#link.socket.end();
        return;
      }
      // Paused by a frame handler: what is left stays in the ring until resume.
      if (this.#paused) return;
      if (handled >= BATCH) {
        this.#pollLater();
        return;
      }
      if (n > 0) continue;
      if (until !== undefined && ring.hasData()) {
        // Published after the last turn looked: the next turn takes them.
        this.#pollLater();
        return;
      }
      if (this.#busyPoll) {
        this.#pollLater();
        return;
      }
      const now = performance.now();
      this.#emptySince ??= now;
      const late = this.#lastPoll !== undefined && now - this.#lastPoll > LATE_TURN_MS;
      this.#lastPoll = now;
      if (late) this.#spin.contended();
      else if (now - this.#emptySince < this.#spin.micros / 1000) {
        this.#pollLater();
        return;
      }
      this.#lastPoll = undefined;
      ring.parkReader();
      this.#parked = true;
      if (!ring.hasData()) return;
      // A record arrived between the last check and parking: take it, do not sleep.
      ring.unparkReader();
      this.#parked = false;
      if (until !== undefined) {
        this.#pollLater();
        return;
      }
    }
  }

  /** Polls again on the next turn; a turn already scheduled does it. */
  #pollLater(): void {
    if (this.#polling) return;
    this.#polling = true;
    setImmediate(this.#pollTurn);
  }

  /**
   * A polling turn reads only what the turn before it saw published. Records reach a poller
   * with no I/O event, so nothing else orders them after the I/O that caused them, as poll
   * readiness orders sockets (listenShm relies on it: the connection an Offer accepts comes
   * before the frames that follow it). Turns run in the event loop's check phase, and one
   * scheduled there runs on the next iteration, after a poll phase: a record published before
   * the previous turn looked was caused before that poll phase began, which saw the cause and
   * ran its callbacks. Nothing here depends on timing: it holds however long this process was
   * stopped between two instructions. A record is taken one turn after it is seen.
   */
  readonly #pollTurn = (): void => {
    this.#polling = false;
    // A released link's segment is unmapped: its ring must not be touched again.
    if (this.#link.released) return;
    const ring = this.#link.ring;
    const until = this.#polled ?? ring.consumed();
    this.#polled = ring.written();
    this.#drain(until);
  };

  /** Records flow again after the ring was empty: the gap teaches the spin budget. */
  #arrived(): void {
    const gapMicros = (performance.now() - (this.#emptySince as number)) * 1000;
    this.#emptySince = undefined;
    this.#lastPoll = undefined;
    if (this.#parked) {
      this.#parked = false;
      // Woken by the doorbell the writer cleared the flag; found by a drain for another
      // reason, clear it here, so the writer does not ring for records already taken.
      this.#link.ring.unparkReader();
      this.#spin.missed(gapMicros);
    } else {
      this.#spin.caught(gapMicros);
    }
  }

  close(): void {
    this.#eos = true;
    this.#link.release();
  }

  #fail(error: RttError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.emit("error", error);
  }
}
