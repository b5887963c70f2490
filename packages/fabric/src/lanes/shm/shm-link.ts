/**
 * What both ends of an shm lane hold (shm-lane.ts): the ring, its mapping and the doorbell
 * socket beside it, released once; the options a lane is made with; the doorbell byte.
 */
import type { Socket } from "node:net";
import type { ShmSegment } from "../../native.ts";
import type { SpscRing } from "./ring.ts";

/** The byte either end writes to wake the other. */
export const DOORBELL = Buffer.from("D");

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

/** Both ends: the ring, the mapping and the doorbell socket, released once. */
export class ShmLink {
  released = false;
  readonly ring: SpscRing;
  readonly segment: ShmSegment;
  readonly socket: Socket;
  constructor(ring: SpscRing, segment: ShmSegment, socket: Socket) {
    this.ring = ring;
    this.segment = segment;
    this.socket = socket;
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.socket.destroy();
    this.segment.close();
  }
}
