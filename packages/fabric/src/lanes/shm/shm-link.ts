/**
 * What both ends of an shm lane hold (shm-lane.ts): the ring, its mapping and the doorbell
 * socket beside it, released once; the options a lane is made with; how one end wakes the other.
 */
import type { Socket } from "node:net";
import type { ShmSegment } from "../../native.ts";
import type { SpscRing } from "./ring.ts";

/** The byte either end writes to wake the other. */
const DOORBELL = Buffer.from("D");

export interface ShmOptions {
  /** Ring bytes, a power of two (default 8 MiB); the largest frame is half of it. */
  readonly capacity?: number;
  /** The most an idle reader polls before parking (default 200 µs; 0: park at once). */
  readonly spinMicros?: number;
  /** Never park: lowest latency, one core kept busy (a per-route QoS option). */
  readonly busyPoll?: boolean;
  /** Folder for the doorbell socket. */
  readonly dir?: string;
  readonly maxPayload?: number;
}

/**
 * Both ends of one ring in this process (a driver whose route runs between two of its own
 * endpoints): each end leaves here how it is woken, and the other calls it instead of writing a
 * doorbell byte — no write(2), no epoll wake-up, no read(2) of the byte, no event-loop turn.
 * The call is queued as a microtask, never made inside the write or read that rings: the woken
 * end then runs after its peer's code, as a doorbell's `data` event would.
 *
 * Ordering: the doorbell's wake-up is ordered after every I/O event that caused the record by
 * poll readiness (shm-reader.ts, #pollTurn). A record written in this process was written by
 * code that ran after whatever event caused it, in this same event loop, so that event has been
 * handled when the microtask runs: nothing is overtaken.
 */
export class LocalBell {
  /** The connecting end is in this process: set before it connects, read when it is accepted. */
  paired = false;
  /** The reading end's wake-up, once it is made. */
  reader: (() => void) | undefined;
  /** The writing end's wake-up, once it is made. */
  writer: (() => void) | undefined;
}

/** Both ends: the ring, the mapping and the doorbell socket, released once. */
export class ShmLink {
  released = false;
  readonly ring: SpscRing;
  readonly segment: ShmSegment;
  readonly socket: Socket;
  /** Set when the other end is in this process (shm-lane.ts pairs them by segment name). */
  readonly local: LocalBell | undefined;
  constructor(ring: SpscRing, segment: ShmSegment, socket: Socket, local?: LocalBell) {
    this.ring = ring;
    this.segment = segment;
    this.socket = socket;
    this.local = local;
  }

  /** Wakes the reading end: by a call when it is in this process and made, else the doorbell. */
  ringReader(): void {
    this.#ring(this.local?.reader);
  }

  /** Wakes the writing end, as `ringReader` the reading one. */
  ringWriter(): void {
    this.#ring(this.local?.writer);
  }

  #ring(wake: (() => void) | undefined): void {
    if (wake === undefined) this.socket.write(DOORBELL);
    else queueMicrotask(wake);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.socket.destroy();
    this.segment.close();
  }
}
