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

/** Bytes to write for one message. */
export function encodeMessage(framing: Framing, message: Uint8Array): Uint8Array {
  switch (framing) {
    case "raw":
      return message;
    case "lines": {
      const out = new Uint8Array(message.length + 1);
      out.set(message);
      out[message.length] = NEWLINE;
      return out;
    }
    case "length-prefixed": {
      const out = new Uint8Array(message.length + 4);
      new DataView(out.buffer).setUint32(0, message.length, false);
      out.set(message, 4);
      return out;
    }
  }
}

/**
 * Messages `from`..`to` (exclusive) of `messages` framed one after another into one buffer of
 * `length` bytes (the sum of their `framedLength`s): what several `encodeMessage`s would write.
 */
export function encodeMessages(
  framing: Framing,
  messages: readonly Uint8Array[],
  from: number,
  to: number,
  length: number,
): Uint8Array {
  const out = new Uint8Array(length);
  const view = framing === "length-prefixed" ? new DataView(out.buffer) : undefined;
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Cuts a stream into messages; keeps the unfinished tail between pushes. */
export class Deframer {
  readonly framing: Framing;
  #pending: Uint8Array = EMPTY;

  constructor(framing: Framing) {
    this.framing = framing;
  }

  /** Bytes pushed and not yet part of a message. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.framing === "raw") return chunk.length === 0 ? [] : [chunk];
    const data = concat(this.#pending, chunk);
    const messages: Uint8Array[] = [];
    let at = 0;
    if (this.framing === "lines") {
      for (let nl = data.indexOf(NEWLINE, at); nl >= 0; nl = data.indexOf(NEWLINE, at)) {
        messages.push(data.subarray(at, nl));
        at = nl + 1;
      }
    } else {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
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
    }
    // Keep the tail as its own copy: the chunk it came from may be reused by the stream.
    this.#pending = at === data.length ? EMPTY : data.slice(at);
    return messages;
  }

  /** At end of stream: a last unterminated line is a message; a cut length-prefixed one is an error. */
  end(): Uint8Array[] {
    const rest = this.#pending;
    this.#pending = EMPTY;
    if (rest.length === 0) return [];
    if (this.framing === "lines") return [rest];
    throw new RttError(
      "RTT_ERR_FRAME_TRUNCATED",
      `stream ended inside a length-prefixed message (${rest.length} bytes pending)`,
    );
  }
}
