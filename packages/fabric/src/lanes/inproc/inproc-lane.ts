/**
 * The in-process lane: both ends in one process (drivers run in-process by the test harness).
 * Frames are handed over by reference through a bounded queue and
 * delivered on a later turn of the event loop, so a writer never re-enters its reader.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { RttError } from "@rtt/core";
import { BoundedQueue, type WaterMarks } from "../../backpressure/bounded-queue.ts";
import { type Frame, FrameType } from "../../frame/format.ts";
import type {
  LaneAddress,
  LaneListener,
  LaneReader,
  LaneWriter,
  WriteOptions,
} from "../../lane.ts";
import { eosFrame, outgoingFrame } from "../outgoing.ts";
import { laneClosed } from "../stream/stream-lane.ts";

/**
 * Queued frames or bytes at which `write` says "full": memory stays bounded. No low mark: the
 * reader takes the whole queue in one turn unless it pauses, and the writer hears 'drain' as
 * soon as the queue is below the high mark again.
 */
const HIGH_WATER_FRAMES = 1024;
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const MARKS: WaterMarks = { high: { items: HIGH_WATER_FRAMES, bytes: HIGH_WATER_BYTES } };

const payloadBytes = (frame: Frame): number => frame.payload.length;

class Channel {
  /** Frames written, not yet delivered. */
  readonly #frames = new BoundedQueue<Frame>({ sizeOf: payloadBytes, marks: MARKS });
  #scheduled = false;
  writerWaiting = false;
  writer: InprocWriter | undefined;
  reader: InprocReader | undefined;
  onEmpty: (() => void) | undefined;

  get length(): number {
    return this.#frames.length;
  }

  get full(): boolean {
    return this.#frames.full;
  }

  push(frame: Frame): void {
    this.#frames.push(frame);
    this.schedule();
  }

  schedule(): void {
    if (this.#scheduled || this.reader === undefined) return;
    this.#scheduled = true;
    setImmediate(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const reader = this.reader;
    if (reader === undefined) return;
    // A paused reader leaves frames queued: the queue fills and `write` says "full".
    while (!reader.paused) {
      const frame = this.#frames.shift();
      if (frame === undefined) break;
      reader.deliver(frame);
      if (frame.type === FrameType.EOS) break;
    }
    if (this.writerWaiting && this.#frames.drained) {
      this.writerWaiting = false;
      this.writer?.emit("drain");
    }
    this.onEmpty?.();
  }
}

class InprocWriter extends EventEmitter implements LaneWriter {
  readonly kind = "inproc" as const;
  readonly role = "writer" as const;
  readonly copiesPayload = false;
  #seq = 0;
  #closed = false;
  readonly #channel: Channel;

  constructor(channel: Channel) {
    super();
    this.#channel = channel;
    channel.writer = this;
  }

  get seq(): number {
    return this.#seq;
  }

  write(payload: Uint8Array, options: WriteOptions = {}): boolean {
    if (this.#closed) throw laneClosed("inproc");
    this.#seq++;
    this.#channel.push(outgoingFrame(this.#seq, payload, options));
    if (!this.#channel.full) return true;
    this.#channel.writerWaiting = true;
    return false;
  }

  end(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#seq++;
    const channel = this.#channel;
    return new Promise((resolve) => {
      channel.onEmpty = () => {
        if (channel.length > 0) return;
        channel.onEmpty = undefined;
        this.emit("close");
        resolve();
      };
      channel.push(eosFrame(this.#seq));
    });
  }

  destroy(): void {
    this.#closed = true;
    this.#channel.reader?.peerGone();
    this.emit("close");
  }
}

class InprocReader extends EventEmitter implements LaneReader {
  readonly kind = "inproc" as const;
  readonly role = "reader" as const;
  #done = false;
  #paused = false;
  readonly #channel: Channel;

  constructor(channel: Channel) {
    super();
    this.#channel = channel;
    channel.reader = this;
    channel.schedule();
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#channel.schedule();
  }

  deliver(frame: Frame): void {
    if (this.#done) return;
    if (frame.type === FrameType.EOS) {
      this.#done = true;
      this.emit("end");
      this.emit("close");
      return;
    }
    this.emit("frame", frame);
  }

  peerGone(): void {
    if (this.#done) return;
    this.#done = true;
    this.emit(
      "error",
      new RttError("RTT_ERR_LANE_PEER_GONE", "inproc lane: the writer was destroyed before EOS"),
    );
    this.emit("close");
  }

  close(): void {
    this.#done = true;
    this.#channel.reader = undefined;
    this.emit("close");
  }
}

/**
 * Rendezvous points of in-process lanes waiting for their second end, by id. In-process
 * lanes never leave the process, so this registry is their whole address space.
 */
const waiting = new Map<string, (channel: Channel) => void>();

function listenInproc<E>(make: (c: Channel) => E): LaneListener<E & (LaneWriter | LaneReader)> {
  const id = randomBytes(8).toString("hex");
  const accepted = new Promise<E>((resolve) => {
    waiting.set(id, (channel) => resolve(make(channel)));
  });
  const address: LaneAddress = { kind: "inproc", id };
  return {
    address,
    accepted: accepted as Promise<E & (LaneWriter | LaneReader)>,
    close: () => waiting.delete(id),
  };
}

function joinInproc(address: Extract<LaneAddress, { kind: "inproc" }>): Channel {
  const complete = waiting.get(address.id);
  if (complete === undefined) {
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `no in-process lane ${address.id} is waiting in this process`,
    );
  }
  waiting.delete(address.id);
  const channel = new Channel();
  complete(channel);
  return channel;
}

export function listenInprocWriter(): LaneListener<LaneWriter> {
  return listenInproc((c) => new InprocWriter(c));
}
export function listenInprocReader(): LaneListener<LaneReader> {
  return listenInproc((c) => new InprocReader(c));
}
export function connectInprocWriter(address: Extract<LaneAddress, { kind: "inproc" }>): LaneWriter {
  return new InprocWriter(joinInproc(address));
}
export function connectInprocReader(address: Extract<LaneAddress, { kind: "inproc" }>): LaneReader {
  return new InprocReader(joinInproc(address));
}
