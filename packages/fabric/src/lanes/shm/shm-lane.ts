/**
 * The shared-memory lane (docs/design.md §Data plane: lanes): frames go through an SPSC ring in a
 * segment both processes map; a Unix socket beside it carries only doorbell bytes and tells each
 * end when the other dies (the kernel closes it with the process, so a kill -9 is noticed at once).
 *
 * Lifecycle: the listening end creates the segment and the socket; the peer maps the segment,
 * then connects. The listener therefore knows, the moment it accepts the connection, that the
 * peer holds a mapping: it unlinks the segment's name and makes its lane end right there, so
 * from then on the memory dies with the last mapping and nothing can leak whatever gets killed.
 * A listener killed before its peer connected leaves a named segment behind: its name carries
 * the owner, and the next lane created on this machine reclaims it (segment-name.ts).
 *
 * Waiting without burning a core: a reader that finds the ring empty polls it on each turn of
 * the event loop for an adaptive budget (spin-budget.ts: as long as recent gaps, at most
 * `spinMicros`), then parks (ring.ts explains why no wake-up is lost) and sleeps on the socket
 * until the writer rings. Polling by turns, not in a busy loop, lets the frames it delivered be
 * handled meanwhile (their handlers' promises, the sockets they write to); a turn takes only
 * what the turn before it saw, so no record overtakes the I/O that caused it (shm-reader.ts,
 * #pollTurn).
 * `busyPoll` never parks: it re-checks on every turn of the event loop instead.
 *
 * Both ends in one process (a driver routing between two of its own endpoints): the connecting
 * end finds the listener's `LocalBell` by the segment's name, and the two wake each other by a
 * call instead of the doorbell (shm-link.ts); the reader then parks at once, since a wake-up
 * costs a microtask, not a trip through the kernel. The socket still tells each end when the
 * other is gone.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { RttError } from "@rtt/core";
import { encodeFrameInto } from "../../frame/encode.ts";
import { type Frame, frameSize } from "../../frame/format.ts";
import type {
  LaneAddress,
  LaneListener,
  LaneReader,
  LaneWriter,
  WriteOptions,
} from "../../lane.ts";
import { loadShm, type ShmApi, shmUnavailableReason } from "../../native.ts";
import { eosFrame, outgoingFrame } from "../outgoing.ts";
import { laneClosed, peerGone } from "../stream/stream-lane.ts";
import { connectSocket, listenOnce } from "../uds/uds-lane.ts";
import { maxRecord, SpscRing, segmentSize } from "./ring.ts";
import { newSegmentName, reclaimStaleSegments } from "./segment-name.ts";
import { LocalBell, ShmLink, type ShmOptions } from "./shm-link.ts";
import { ShmLaneReader } from "./shm-reader.ts";

export type { ShmOptions } from "./shm-link.ts";

export const DEFAULT_CAPACITY = 8 * 1024 * 1024;
const ATTACHED = Buffer.from("A");
/** The bells of this process's listening segments, by name, until a peer attaches or it closes. */
const localBells = new Map<string, LocalBell>();

type ShmAddress = Extract<LaneAddress, { kind: "shm" }>;

function requireShm(): ShmApi {
  const shm = loadShm();
  if (shm === undefined) {
    throw new RttError(
      "RTT_ERR_LANE_UNAVAILABLE",
      `shm lane unavailable: ${shmUnavailableReason() ?? "unknown reason"}`,
      {
        hint: "the lane factory falls back to uds",
      },
    );
  }
  return shm;
}

function oversized(size: number, capacity: number): RttError {
  return new RttError(
    "RTT_ERR_FRAME_OVERSIZED",
    `a ${size}-byte frame does not fit a ${capacity}-byte shm ring (at most ${maxRecord(capacity)})`,
    { hint: "raise the lane's ring capacity" },
  );
}

class ShmLaneWriter extends EventEmitter implements LaneWriter {
  readonly kind = "shm" as const;
  readonly role = "writer" as const;
  readonly copiesPayload = true;
  #seq = 0;
  #ending = false;
  #failed = false;
  readonly #link: ShmLink;
  readonly #maxRecord: number;
  /** Frames accepted while the ring was full, in order; copied, since callers may reuse theirs. */
  readonly #pending: Frame[] = [];
  /**
   * Where a pending frame's payload is copied while it is free: a writer that waits for 'drain'
   * has one frame pending at a time, and a saturated lane has one pending at every fill of its
   * ring — a new 64 KiB buffer each would be garbage at the lane's own rate.
   */
  #spill = new Uint8Array(0);
  #spillTaken = false;

  constructor(link: ShmLink) {
    super();
    this.#link = link;
    this.#maxRecord = maxRecord(link.ring.capacity);
    link.socket.on("data", () => this.#flush());
    if (link.local !== undefined)
      link.local.writer = () => {
        if (!link.released) this.#flush();
      };
    link.socket.on("error", () => {});
    link.socket.on("close", () => {
      if (!this.#ending || this.#pending.length > 0)
        this.#fail(peerGone("shm", "doorbell socket closed"));
      link.release();
      this.emit("close");
    });
  }

  get seq(): number {
    return this.#seq;
  }

  write(payload: Uint8Array, options: WriteOptions = {}): boolean {
    if (this.#ending || this.#failed) throw laneClosed("shm");
    this.#seq++;
    const frame = outgoingFrame(this.#seq, payload, options);
    if (this.#pending.length === 0 && this.#publish(frame)) return true;
    this.#pending.push({ ...frame, payload: this.#keep(payload) });
    this.#waitForRoom();
    return false;
  }

  /** A copy of `payload` for the pending queue: into the spill when it is free. */
  #keep(payload: Uint8Array): Uint8Array {
    if (this.#spillTaken) return Uint8Array.prototype.slice.call(payload);
    if (this.#spill.length < payload.length) this.#spill = new Uint8Array(payload.length);
    const kept = this.#spill.subarray(0, payload.length);
    kept.set(payload);
    this.#spillTaken = true;
    return kept;
  }

  #publish(frame: Frame): boolean {
    const size = frameSize(frame.payload.length, frame.flags);
    if (size > this.#maxRecord) throw oversized(size, this.#link.ring.capacity);
    const ring = this.#link.ring;
    if (!ring.tryWrite(size, (data, offset) => encodeFrameInto(data, offset, frame))) return false;
    if (ring.unparkReader()) this.#link.ringReader();
    return true;
  }

  /** Parks on a full ring; the reader rings once it has freed space. */
  #waitForRoom(): void {
    const first = this.#pending[0];
    if (first === undefined) return;
    const ring = this.#link.ring;
    ring.parkWriter();
    // Re-check after parking: the reader may have freed space before it could see the flag.
    if (ring.hasRoomFor(frameSize(first.payload.length, first.flags)) && ring.unparkWriter()) {
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    if (this.#failed) return;
    const hadPending = this.#pending.length > 0;
    while (this.#pending.length > 0) {
      if (!this.#publish(this.#pending[0] as Frame)) {
        this.#waitForRoom();
        return;
      }
      const published = this.#pending.shift() as Frame;
      // In the ring now: the spill may take the next pending frame.
      if (published.payload.buffer === this.#spill.buffer) this.#spillTaken = false;
    }
    if (hadPending && !this.#ending) this.emit("drain");
  }

  end(): Promise<void> {
    if (this.#ending || this.#failed) return Promise.resolve();
    this.#ending = true;
    this.#seq++;
    const eos: Frame = eosFrame(this.#seq);
    return new Promise((resolve) => {
      // The reader closes the socket once it has consumed EOS: that close resolves us.
      this.#link.socket.once("close", () => resolve());
      this.#pending.push(eos);
      this.#flush();
    });
  }

  destroy(error?: Error): void {
    this.#ending = true;
    this.#pending.length = 0;
    this.#link.socket.destroy(error);
  }

  #fail(error: RttError): void {
    if (this.#failed) return;
    this.#failed = true;
    this.emit("error", error);
  }
}

async function listenShm<E>(
  options: ShmOptions,
  make: (link: ShmLink) => E,
): Promise<LaneListener<E & (LaneWriter | LaneReader)>> {
  const shm = requireShm();
  reclaimStaleSegments(shm);
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const name = newSegmentName();
  const segment = shm.create(name, segmentSize(capacity));
  let ring: SpscRing;
  let doorbell: Awaited<ReturnType<typeof listenOnce>>;
  try {
    ring = SpscRing.format(segment.buffer, capacity);
    doorbell = await listenOnce(options.dir);
  } catch (error) {
    shm.unlink(name);
    segment.close();
    throw error;
  }
  const bell = new LocalBell();
  localBells.set(name, bell);
  let unlinked = false;
  const unlink = () => {
    if (!unlinked) shm.unlink(name);
    unlinked = true;
    localBells.delete(name);
  };
  // The lane end is made in the very callback that accepts the connection, as uds and tcp do,
  // not on a later turn of the event loop (it used to wait for the peer's ATTACHED byte, which
  // a new socket can deliver at the earliest on the next poll). Whoever connected has mapped
  // the segment first (connectShm), so its name is no longer needed by anyone. Why the same
  // callback matters: a peer's connect() resolves once the kernel has queued the connection,
  // so the peer, and the panel it reports to, may go on at once, e.g. to send frames into this
  // process on another lane. Poll readiness is first come, first served, so this process
  // accepts the connection before it sees anything caused after it, and `accepted`'s handlers
  // (a driver starting to pump into this lane) run in that callback's microtasks, before any
  // such frame. Waiting for ATTACHED reversed that order: a driver dropped what came first.
  const accepted = doorbell.socket.then((socket) => {
    // connectShm pairs the bell before it connects: whether this peer is this process's own.
    const local = bell.paired ? bell : undefined;
    unlink();
    return make(new ShmLink(ring, segment, socket, local));
  });
  accepted.catch(() => {});
  const address: ShmAddress = { kind: "shm", segment: name, path: doorbell.path, capacity };
  return {
    address,
    accepted: accepted as Promise<E & (LaneWriter | LaneReader)>,
    close() {
      doorbell.close();
      unlink();
    },
  };
}

async function connectShm(address: ShmAddress): Promise<ShmLink> {
  const shm = requireShm();
  // Map first, connect second: the listener unlinks the name as soon as it accepts us.
  const segment = shm.open(address.segment);
  let ring: SpscRing;
  try {
    ring = SpscRing.attach(segment.buffer);
  } catch (error) {
    segment.close();
    // Connect and hang up, so the listener's lane fails now instead of waiting for a peer.
    connectSocket(address.path).then(
      (socket) => socket.destroy(),
      () => {},
    );
    throw new RttError(
      "RTT_ERR_SHM",
      `segment ${address.segment} holds no usable ring: ${String(error)}`,
    );
  }
  const local = localBells.get(address.segment);
  if (local !== undefined) local.paired = true;
  let socket: Socket;
  try {
    socket = await connectSocket(address.path);
  } catch (error) {
    segment.close();
    throw error;
  }
  // A listener of this build has unlinked already and takes this byte as a spare doorbell
  // (harmless: a woken end that finds nothing to do parks again); one of an earlier build
  // waits for it before it unlinks and makes its end.
  socket.write(ATTACHED);
  return new ShmLink(ring, segment, socket, local);
}

export function listenShmWriter(options: ShmOptions = {}): Promise<LaneListener<LaneWriter>> {
  return listenShm(options, (link) => new ShmLaneWriter(link));
}
export function listenShmReader(options: ShmOptions = {}): Promise<LaneListener<LaneReader>> {
  return listenShm(options, (link) => new ShmLaneReader(link, options));
}
export async function connectShmWriter(address: ShmAddress): Promise<LaneWriter> {
  return new ShmLaneWriter(await connectShm(address));
}
export async function connectShmReader(
  address: ShmAddress,
  options: ShmOptions = {},
): Promise<LaneReader> {
  return new ShmLaneReader(await connectShm(address), options);
}
