/**
 * The frames of RTT's framed control channel (docs/connectors.md §The framed control channel;
 * docs/adr/0029-framed-control-channel.md): the panel's service, call for call, as
 * length-prefixed protobuf messages on a plain Unix socket, without HTTP/2 under them.
 *
 * One frame, every integer big-endian:
 *
 *   offset  size  field
 *   0       4     length: the bytes after this field (7 + body), at most FRAME_MAX_LENGTH
 *   4       1     kind (FRAME_KINDS)
 *   5       4     call id: chosen by the client, unique among its calls in flight
 *   9       2     method id: the method's place in the service, from 0 (0 unless a request)
 *   11      …     body (length − 7 bytes; what it holds depends on the kind: messages.ts)
 *
 * The decoder takes bytes in any chunking; a frame it cannot read is a typed RttError
 * (RTT_ERR_FRAME_CORRUPT or RTT_ERR_FRAME_OVERSIZED), never a crash, and the connection that
 * sent it is done: after a bad header nothing later can be trusted to start on a frame.
 */
import { RttError } from "@rtt/core/errors.ts";

/** The frame kinds, by their byte. */
export const FRAME_KINDS = {
  request: 1,
  response: 2,
  item: 3,
  end: 4,
  error: 5,
  cancel: 6,
} as const;
export type FrameKind = keyof typeof FRAME_KINDS;

const KIND_OF_BYTE: readonly (FrameKind | undefined)[] = (() => {
  const out: (FrameKind | undefined)[] = [];
  for (const [name, byte] of Object.entries(FRAME_KINDS)) out[byte] = name as FrameKind;
  return out;
})();

/** The length field's own size, and what `length` always covers (kind, call id, method id). */
const LENGTH_BYTES = 4;
export const HEADER_AFTER_LENGTH = 7;
/**
 * The largest `length` accepted: a 4 MiB request (the gRPC side's limit, panel-server.ts) and
 * room for its metadata. A client cannot make the reader buffer more than this for one frame.
 */
export const FRAME_MAX_LENGTH = 4 * 1024 * 1024 + 64 * 1024 + HEADER_AFTER_LENGTH;

export interface Frame {
  readonly kind: FrameKind;
  readonly callId: number;
  readonly methodId: number;
  readonly body: Uint8Array;
}

/** The bytes of one frame; RTT_ERR_FRAME_OVERSIZED when the body would not fit in one. */
export function encodeFrame(frame: Frame): Buffer {
  const length = HEADER_AFTER_LENGTH + frame.body.length;
  if (length > FRAME_MAX_LENGTH)
    throw new RttError(
      "RTT_ERR_FRAME_OVERSIZED",
      `a ${frame.kind} frame of ${length} bytes is past the control channel's ${FRAME_MAX_LENGTH}`,
    );
  const out = Buffer.allocUnsafe(LENGTH_BYTES + length);
  out.writeUInt32BE(length, 0);
  out.writeUInt8(FRAME_KINDS[frame.kind], 4);
  out.writeUInt32BE(frame.callId >>> 0, 5);
  out.writeUInt16BE(frame.methodId & 0xffff, 9);
  out.set(frame.body, LENGTH_BYTES + HEADER_AFTER_LENGTH);
  return out;
}

/**
 * Reads frames out of a byte stream cut anywhere. `push` returns the frames each chunk
 * completed; the first bad header throws, and every push after that throws the same error.
 */
export class FrameDecoder {
  #pending: Buffer = Buffer.alloc(0);
  #failed: RttError | undefined;

  push(chunk: Uint8Array): Frame[] {
    if (this.#failed !== undefined) throw this.#failed;
    const buf =
      this.#pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.#pending, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (buf.length - at >= LENGTH_BYTES + HEADER_AFTER_LENGTH) {
      const length = buf.readUInt32BE(at);
      const kind = KIND_OF_BYTE[buf[at + 4] as number];
      const problem = this.#check(length, kind, buf[at + 4] as number);
      if (problem !== undefined) {
        this.#failed = problem;
        this.#pending = Buffer.alloc(0);
        throw problem;
      }
      if (buf.length - at < LENGTH_BYTES + length) break;
      const start = at + LENGTH_BYTES + HEADER_AFTER_LENGTH;
      frames.push({
        kind: kind as FrameKind,
        callId: buf.readUInt32BE(at + 5),
        methodId: buf.readUInt16BE(at + 9),
        // A copy: the chunk's memory is the socket's to reuse.
        body: Uint8Array.prototype.slice.call(buf, start, at + LENGTH_BYTES + length),
      });
      at += LENGTH_BYTES + length;
    }
    this.#pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return frames;
  }

  /** Bytes of a frame not yet complete (0 between frames). */
  get buffered(): number {
    return this.#pending.length;
  }

  #check(length: number, kind: FrameKind | undefined, byte: number): RttError | undefined {
    if (length > FRAME_MAX_LENGTH)
      return new RttError(
        "RTT_ERR_FRAME_OVERSIZED",
        `control frame declares ${length} bytes; at most ${FRAME_MAX_LENGTH} are accepted`,
        { hint: "the peer does not speak RTT's framed control channel, or sent a corrupt frame" },
      );
    if (length < HEADER_AFTER_LENGTH)
      return new RttError(
        "RTT_ERR_FRAME_CORRUPT",
        `control frame declares ${length} bytes; its header alone is ${HEADER_AFTER_LENGTH}`,
        { hint: "the peer does not speak RTT's framed control channel" },
      );
    if (kind === undefined)
      return new RttError("RTT_ERR_FRAME_CORRUPT", `control frame of unknown kind ${byte}`, {
        hint: "the peer does not speak RTT's framed control channel (kinds are 1-6)",
      });
    return undefined;
  }
}
