/**
 * The seam every lane implements (docs/design.md §Data plane: lanes). A lane is one direction of a
 * link: a writer at one end, a reader at the other, frames in between. Whatever carries them — a
 * ring in shared memory, a Unix socket, loopback TCP, or a queue in this process — the two ends
 * behave the same, so a route can move between lane kinds without its drivers noticing.
 *
 * One end *listens* (it creates the lane's resources: socket, segment) and hands its
 * `LaneAddress` to the peer, which *connects*. Either end can be the writer.
 */
import type { EventEmitter } from "node:events";
import type { LaneKind } from "@rtt/core";

export type { LaneKind };

/**
 * What the connecting end needs to reach the listening one; plain JSON, sent across processes.
 * `batches`: the lane's reader takes batch frames (FrameFlag.BATCH); it says so in the address
 * it listens on, so a writer learns it with the address. It is not part of where the lane is.
 */
export type LaneAddress = LaneLocation & { readonly batches?: boolean };

/** Where a lane is, by kind. */
export type LaneLocation =
  | { readonly kind: "uds"; readonly path: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | {
      readonly kind: "shm";
      /** Name of the shared-memory segment holding the ring. */
      readonly segment: string;
      /** Unix socket for the doorbell and for noticing the peer's death. */
      readonly path: string;
      readonly capacity: number;
    }
  | { readonly kind: "inproc"; readonly id: string };

export interface WriteOptions {
  readonly type?: number;
  readonly flags?: number;
  readonly correlation?: number;
}

/**
 * The writing end. Events: `drain` (room again after `write` returned false), `error`
 * (an RttError: RTT_ERR_LANE_PEER_GONE, RTT_ERR_FRAME_*, …), `close`.
 */
export interface LaneWriter extends EventEmitter {
  readonly kind: LaneKind;
  readonly role: "writer";
  /**
   * Sends one frame (DATA unless `type` says otherwise) with the next sequence number. Like a
   * Node stream, the frame is always accepted; `false` means the lane is full — a full lane is
   * backpressure, never loss — so wait for `drain` before writing more.
   */
  write(payload: Uint8Array, options?: WriteOptions): boolean;
  /**
   * `write` has copied the payload by the time it returns (into a ring's record, a socket's
   * frame, a full ring's pending copy): the caller may reuse its memory at once. False: the
   * lane keeps the payload itself (in-process).
   */
  readonly copiesPayload: boolean;
  /** Sends EOS once everything before it is delivered, then closes. Resolves when done. */
  end(): Promise<void>;
  /** Tears the lane down now; frames not yet delivered are lost. */
  destroy(error?: Error): void;
  /** Sequence number of the last frame written (0 before the first). */
  readonly seq: number;
}

/**
 * The reading end. Events: `frame` (a Frame whose payload is valid only during the call: copy
 * it to keep it), `end` (EOS arrived: everything before it was delivered), `error`, `close`.
 */
export interface LaneReader extends EventEmitter {
  readonly kind: LaneKind;
  readonly role: "reader";
  /**
   * Stops delivering frames until `resume()`: backpressure from a slow consumer to the writer.
   * It takes effect at once, even from inside a `frame` handler (no further `frame` event
   * until resumed); frames already taken off the carrier are held, in order, and delivered
   * first after `resume()`. The reader stops taking from the carrier, so it fills — a socket's
   * kernel buffer, the shm ring, the in-process queue — and the writer's `write` returns false
   * until it has room again. Never loses, reorders or duplicates a frame; idempotent.
   */
  pause(): void;
  /** Delivers again, held frames first, on a later turn (never from inside this call). */
  resume(): void;
  readonly paused: boolean;
  /** Stops reading and releases the lane. */
  close(): void;
}

export type LaneEnd = LaneWriter | LaneReader;
export type LaneRole = LaneEnd["role"];

/** A listening end waiting for its peer. */
export interface LaneListener<E extends LaneEnd> {
  readonly address: LaneAddress;
  /** Resolves with the connected end once the peer has connected. */
  readonly accepted: Promise<E>;
  /** Gives up waiting and releases what was created (socket file, segment). */
  close(): void;
}
