/**
 * Lane ends over a byte stream (a Unix or loopback TCP socket): frames go out encoded and come
 * back through the streaming decoder. The UDS and TCP lanes differ only in how they listen and
 * connect; both hand their socket to these two classes.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { RttError } from "@rtt/core";
import { encodeFrame } from "../../frame/encode.ts";
import { type Frame, FrameType } from "../../frame/format.ts";
import { FrameDecoder } from "../../frame/stream-decoder.ts";
import type { LaneKind, LaneReader, LaneWriter, WriteOptions } from "../../lane.ts";
import { eosFrame, outgoingFrame } from "../outgoing.ts";

export function peerGone(kind: LaneKind, detail: string): RttError {
  return new RttError("RTT_ERR_LANE_PEER_GONE", `${kind} lane: the peer went away (${detail})`, {
    hint: "the process at the other end exited or was killed; the route will be re-bound",
  });
}

export function laneClosed(kind: LaneKind): RttError {
  return new RttError("RTT_ERR_LANE_CLOSED", `${kind} lane: write after end or destroy`);
}

/**
 * Frames per writev at most. The kernel bounds a socket's buffer in bytes, and counts each
 * write's overhead: the denser the writes, the more small messages wait in it. 8 takes 7 in 8
 * system calls off small frames while a stalled lane's backlog in messages stays close to what
 * one write per frame left there (+14 % for 37-byte frames: slow-consumer-backpressure.test.ts;
 * 16 made it +37 %, a whole go in one writev +85 %).
 */
const MAX_BATCH = 8;

/**
 * The writer coalesces (docs/design.md §Lanes): the frames written in one go — one synchronous run and the
 * promise callbacks it settles, e.g. a pump that finds several messages ready — leave in
 * writevs of up to MAX_BATCH frames, the last at the end of the run (the socket is corked at
 * the first frame and uncorked on `nextTick`). A lone frame waits for no timer and no later
 * frame (Nagle stays off): only for the code already running to return. Each frame keeps its
 * own header and sequence number, so readers see exactly the frames they saw before, fewer
 * system calls apart; `write`'s answer is the socket's, so backpressure is unchanged.
 */
export class StreamLaneWriter extends EventEmitter implements LaneWriter {
  readonly kind: LaneKind;
  readonly role = "writer" as const;
  readonly copiesPayload = true;
  #seq = 0;
  #ending = false;
  #done = false;
  #corked = false;
  /** Frames in the writev being gathered. */
  #batch = 0;
  readonly #socket: Socket;
  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  constructor(kind: LaneKind, socket: Socket) {
    super();
    this.kind = kind;
    this.#socket = socket;
    socket.setNoDelay?.(true);
    socket.on("drain", () => this.emit("drain"));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      this.#fail(peerGone(kind, error.code ?? error.message)),
    );
    // The reader half-closes after EOS; any other close is the peer's death.
    socket.on("close", () => {
      if (!this.#ending) this.#fail(peerGone(kind, "connection closed"));
      this.#done = true;
      this.emit("close");
    });
    socket.resume();
  }

  get seq(): number {
    return this.#seq;
  }

  write(payload: Uint8Array, options: WriteOptions = {}): boolean {
    if (this.#ending || this.#done) throw laneClosed(this.kind);
    this.#seq++;
    const frame = outgoingFrame(this.#seq, payload, options);
    if (!this.#corked) {
      this.#corked = true;
      this.#batch = 0;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    const room = this.#socket.write(encodeFrame(frame));
    if (++this.#batch === MAX_BATCH) {
      // Flush now and stay corked for the rest of the run.
      this.#socket.uncork();
      this.#socket.cork();
      this.#batch = 0;
    }
    return room;
  }

  end(): Promise<void> {
    if (this.#done) return Promise.resolve();
    this.#ending = true;
    this.#seq++;
    const eos: Frame = eosFrame(this.#seq);
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      // end() flushes what is corked first, then EOS: the lane's order holds.
      this.#socket.end(encodeFrame(eos));
    });
  }

  destroy(error?: Error): void {
    this.#ending = true;
    this.#socket.destroy(error);
  }

  #fail(error: RttError): void {
    if (this.#done || this.#ending) return;
    this.#done = true;
    this.emit("error", error);
  }
}

export class StreamLaneReader extends EventEmitter implements LaneReader {
  readonly kind: LaneKind;
  readonly role = "reader" as const;
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  #sawEos = false;
  #failed = false;
  #paused = false;
  #resuming = false;
  /** The socket's FIN arrived; judged once the frames held before it are delivered. */
  #socketEnded = false;
  /**
   * Frames decoded from a chunk after a `frame` handler paused us, in order: delivered first on
   * resume. At most one chunk's worth, since the socket stops reading while we are paused.
   */
  #held: Frame[] = [];

  constructor(kind: LaneKind, socket: Socket, maxPayload?: number) {
    super();
    this.kind = kind;
    this.#socket = socket;
    this.#decoder = new FrameDecoder(maxPayload);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => {
      this.#socketEnded = true;
      if (this.#held.length === 0) this.#ended();
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      this.#fail(peerGone(kind, error.code ?? error.message)),
    );
    socket.on("close", () => this.emit("close"));
  }

  get paused(): boolean {
    return this.#paused;
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    // The socket stops reading once its small readable buffer is full; from then on the
    // kernel's buffer fills and the writer's `write` returns false until we resume.
    this.#socket.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#resuming) return;
    this.#resuming = true;
    setImmediate(() => {
      this.#resuming = false;
      if (this.#paused || this.#sawEos) return;
      const held = this.#held;
      this.#held = [];
      this.#emitFrames(held);
      if (this.#paused || this.#sawEos) return;
      if (this.#socketEnded) this.#ended();
      else this.#socket.resume();
    });
  }

  #onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#fail(error instanceof RttError ? error : peerGone(this.kind, String(error)));
      this.#socket.destroy();
      return;
    }
    // A chunk that was in flight when we paused: keep all of it for resume.
    if (this.#paused) this.#held.push(...frames);
    else this.#emitFrames(frames);
  }

  /** Emits `frames` in order until one is EOS or a handler pauses us; holds the rest. */
  #emitFrames(frames: Frame[]): void {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i] as Frame;
      if (frame.type === FrameType.EOS) {
        this.#sawEos = true;
        this.#held = [];
        this.emit("end");
        this.#socket.end();
        return;
      }
      this.emit("frame", frame);
      if (this.#paused) {
        this.#held.push(...frames.slice(i + 1));
        return;
      }
    }
  }

  #ended(): void {
    if (!this.#sawEos) this.#fail(peerGone(this.kind, "connection closed before EOS"));
    this.#socket.end();
  }

  close(): void {
    this.#held = [];
    this.#socket.destroy();
  }

  #fail(error: RttError): void {
    if (this.#failed || this.#sawEos) return;
    this.#failed = true;
    this.emit("error", error);
  }
}
