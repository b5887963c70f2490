/**
 * Turning a byte stream (uds, tcp) back into frames (docs/design.md §Data plane: frames), with
 * the same header checks as `decodeFrame`.
 */
import { RttError } from "@rtt/core";
import { checkHeader, checkMaxPayload, frameAt, truncated } from "./decode.ts";
import { DEFAULT_MAX_PAYLOAD, FRAME_HEADER_SIZE, type Frame } from "./format.ts";

/**
 * Turns a byte stream (uds, tcp) back into frames, whatever the chunk boundaries.
 *
 * Copies as little as it can: a frame that lies wholly inside one chunk is returned as a view
 * into that chunk (so chunks must not be reused by the caller after `push`; Node's socket
 * `data` events hand over fresh buffers). Only a frame that spans chunks is stitched, into one
 * buffer of its exact size, allocated once its header has arrived and been checked: a header
 * that declares more than `maxPayload` is refused there, before any payload is buffered.
 *
 * After it throws, the stream has lost its framing and the decoder stays failed: every later
 * `push` or `end` throws the same error. The lane should close.
 */
export class FrameDecoder {
  readonly maxPayload: number;
  /** The start of a header split across chunks. */
  readonly #head = new Uint8Array(FRAME_HEADER_SIZE);
  #headFill = 0;
  /** A frame split across chunks, being stitched; its header is already checked. */
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #failure: RttError | undefined;

  constructor(maxPayload: number = DEFAULT_MAX_PAYLOAD) {
    checkMaxPayload(maxPayload);
    this.maxPayload = maxPayload;
  }

  /** Bytes held back for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.#headFill + this.#bodyFill;
  }

  /** Feeds one chunk; returns every frame it completes, in order. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#push(chunk);
    } catch (e) {
      if (e instanceof RttError) this.#failure = e;
      throw e;
    }
  }

  /** Declares the stream over: throws RTT_ERR_FRAME_TRUNCATED if it stopped inside a frame. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#body !== undefined) {
      this.#failure = truncated(
        `stream ended inside a frame: ${this.#bodyFill} of its ${this.#body.length} bytes arrived`,
      );
    } else if (this.#headFill > 0) {
      this.#failure = truncated(
        `stream ended inside a frame header: ${this.#headFill} of its ${FRAME_HEADER_SIZE} bytes arrived`,
      );
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  #push(chunk: Uint8Array): Frame[] {
    const out: Frame[] = [];
    const len = chunk.length;
    let pos = 0;

    if (this.#headFill > 0) {
      const take = Math.min(FRAME_HEADER_SIZE - this.#headFill, len);
      this.#head.set(chunk.subarray(0, take), this.#headFill);
      this.#headFill += take;
      pos = take;
      if (this.#headFill < FRAME_HEADER_SIZE) return out;
      const size = checkHeader(this.#head, 0, this.maxPayload);
      const body = Buffer.allocUnsafe(size);
      body.set(this.#head, 0);
      this.#body = body;
      this.#bodyFill = FRAME_HEADER_SIZE;
      this.#headFill = 0;
    }

    const body = this.#body;
    if (body !== undefined) {
      const take = Math.min(body.length - this.#bodyFill, len - pos);
      body.set(chunk.subarray(pos, pos + take), this.#bodyFill);
      this.#bodyFill += take;
      pos += take;
      if (this.#bodyFill < body.length) return out;
      this.#body = undefined;
      this.#bodyFill = 0;
      out.push(frameAt(body, 0, body.length));
    }

    while (pos < len) {
      const rest = len - pos;
      if (rest < FRAME_HEADER_SIZE) {
        this.#head.set(chunk.subarray(pos), 0);
        this.#headFill = rest;
        break;
      }
      const size = checkHeader(chunk, pos, this.maxPayload);
      if (rest >= size) {
        out.push(frameAt(chunk, pos, size));
        pos += size;
      } else {
        const stitched = Buffer.allocUnsafe(size);
        stitched.set(chunk.subarray(pos), 0);
        this.#body = stitched;
        this.#bodyFill = rest;
        break;
      }
    }
    return out;
  }
}
