/**
 * How a process's byte stream is cut into messages and messages are put back on it
 * (docs/design.md §Connectors): `lines` (one message per line, `\n`-terminated), `length-prefixed`
 * (a u32 big-endian length before each message), or `raw` (every chunk as it comes).
 */
import { RttError } from "@rtt/core";

export const FRAMINGS = ["lines", "length-prefixed", "raw"] as const;
export type Framing = (typeof FRAMINGS)[number];

/** A message larger than this in a length-prefixed stream is a broken stream, not a message. */
export const MAX_MESSAGE = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const EMPTY = new Uint8Array(0);

const NEWLINE_BYTES = new Uint8Array([NEWLINE]);

/** One message's bytes on the stream as the pieces to write one after another (no copy). */
export function framedParts(framing: Framing, message: Uint8Array): Uint8Array[] {
  switch (framing) {
    case "raw":
      return [message];
    case "lines":
      return [message, NEWLINE_BYTES];
    case "length-prefixed": {
      const prefix = new Uint8Array(4);
      new DataView(prefix.buffer).setUint32(0, message.length, false);
      return [prefix, message];
    }
  }
}

/** Bytes to write for one message. */
export function encodeMessage(framing: Framing, message: Uint8Array): Uint8Array {
  return encodeMessages(framing, [message], 0, 1, framedLength(framing, message));
}

/**
 * Messages `from`..`to` (exclusive) of `messages` framed one after another into one buffer of
 * `length` bytes (the sum of their `framedLength`s): what several `encodeMessage`s would write.
 * Into `into` when given (exactly `length` bytes), else a new buffer.
 */
export function encodeMessages(
  framing: Framing,
  messages: readonly Uint8Array[],
  from: number,
  to: number,
  length: number,
  into?: Uint8Array,
): Uint8Array {
  const out = into ?? new Uint8Array(length);
  const view =
    framing === "length-prefixed" ? new DataView(out.buffer, out.byteOffset, length) : undefined;
  let at = 0;
  for (let k = from; k < to; k++) {
    const m = messages[k] as Uint8Array;
    if (view !== undefined) {
      view.setUint32(at, m.length, false);
      at += 4;
    }
    out.set(m, at);
    at += m.length;
    if (framing === "lines") out[at++] = NEWLINE;
  }
  return out;
}

/** How many stream bytes one message took, as `Deframer` cut it (its delimiter or prefix too). */
export function framedLength(framing: Framing, message: Uint8Array): number {
  return framing === "lines"
    ? message.length + 1
    : framing === "length-prefixed"
      ? message.length + 4
      : message.length;
}

/**
 * Cuts a stream into messages; keeps the unfinished tail between pushes. It keeps views of what
 * it is pushed — a message is a view of its chunk, the tail a list of views — so a caller hands
 * over chunks it will not reuse; a message that spans chunks is one view of them when they lie
 * one after another in memory (reads into a ReadSlab), else copied together once.
 */
export class Deframer {
  readonly framing: Framing;
  /** The unfinished message's bytes so far, as pushed. */
  #pieces: Uint8Array[] = [];
  #pendingBytes = 0;

  constructor(framing: Framing) {
    this.framing = framing;
  }

  /** Bytes pushed and not yet part of a message. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Those bytes, as the views of what was pushed that the deframer keeps. The list only grows
   * until the message is whole; then the deframer starts a new list and never touches this one.
   */
  get pending(): readonly Uint8Array[] {
    return this.#pieces;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.framing === "raw") return chunk.length === 0 ? [] : [chunk];
    return this.framing === "lines" ? this.#lines(chunk) : this.#prefixed(chunk);
  }

  #lines(chunk: Uint8Array): Uint8Array[] {
    const messages: Uint8Array[] = [];
    // Searched as a Buffer, whose indexOf is memchr: a Uint8Array's own walks byte by byte,
    // 20 × slower over a 64 KiB line. Messages stay views of `chunk` (a Buffer's slice is no copy).
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    let nl = bytes.indexOf(NEWLINE);
    if (nl >= 0 && this.#pendingBytes > 0) {
      messages.push(this.#takePending(chunk.subarray(0, nl)));
      at = nl + 1;
      nl = bytes.indexOf(NEWLINE, at);
    }
    for (; nl >= 0; nl = bytes.indexOf(NEWLINE, at)) {
      messages.push(chunk.subarray(at, nl));
      at = nl + 1;
    }
    if (at < chunk.length) this.#keep(chunk.subarray(at));
    return messages;
  }

  #prefixed(chunk: Uint8Array): Uint8Array[] {
    const data = this.#pendingBytes === 0 ? chunk : this.#takePending(chunk);
    const messages: Uint8Array[] = [];
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    while (data.length - at >= 4) {
      const length = view.getUint32(at, false);
      if (length > MAX_MESSAGE) {
        throw new RttError(
          "RTT_ERR_FRAME_OVERSIZED",
          `length-prefixed message of ${length} bytes (limit ${MAX_MESSAGE})`,
          {
            hint: "the process does not write length-prefixed messages; try framing: lines or raw",
          },
        );
      }
      if (data.length - at - 4 < length) break;
      messages.push(data.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (at < data.length) this.#keep(data.subarray(at));
    return messages;
  }

  #keep(piece: Uint8Array): void {
    this.#pieces.push(piece);
    this.#pendingBytes += piece.length;
  }

  /** The pending pieces followed by `last`, as one array (the pieces are let go). */
  #takePending(last: Uint8Array): Uint8Array {
    const joined = adjacent(this.#pieces, last);
    if (joined !== undefined) {
      // A long line read in pieces one after another in memory, or whose newline came alone:
      // a view of them, as any other message is of its read — no copy.
      this.#pieces = [];
      this.#pendingBytes = 0;
      return joined;
    }
    const out = new Uint8Array(this.#pendingBytes + last.length);
    let at = 0;
    for (const piece of this.#pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    out.set(last, at);
    this.#pieces = [];
    this.#pendingBytes = 0;
    return out;
  }

  /** At end of stream: a last unterminated line is a message; a cut length-prefixed one is an error. */
  end(): Uint8Array[] {
    if (this.#pendingBytes === 0) return [];
    const rest = this.#takePending(EMPTY);
    if (this.framing === "lines") return [rest];
    throw new RttError(
      "RTT_ERR_FRAME_TRUNCATED",
      `stream ended inside a length-prefixed message (${rest.length} bytes pending)`,
    );
  }
}

/** `pieces` and then `last` (if not empty) as one view, when each starts where the one before ends. */
function adjacent(pieces: readonly Uint8Array[], last: Uint8Array): Uint8Array | undefined {
  const first = pieces[0];
  if (first === undefined) return undefined;
  let end = first.byteOffset + first.length;
  for (let k = 1; k <= pieces.length; k++) {
    const next = k < pieces.length ? (pieces[k] as Uint8Array) : last;
    if (next.length === 0) continue;
    if (next.buffer !== first.buffer || next.byteOffset !== end) return undefined;
    end += next.length;
  }
  return new Uint8Array(first.buffer, first.byteOffset, end - first.byteOffset);
}
