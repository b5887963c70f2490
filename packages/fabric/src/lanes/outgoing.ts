/** The frames a writer builds: every lane kind numbers and shapes them the same way. */
import { type Frame, FrameType } from "../frame/format.ts";
import type { WriteOptions } from "../lane.ts";

const EMPTY = new Uint8Array(0);

/** Frame `seq` of a write: DATA unless the options say otherwise. */
export function outgoingFrame(seq: number, payload: Uint8Array, options: WriteOptions): Frame {
  return {
    type: options.type ?? FrameType.DATA,
    flags: options.flags ?? 0,
    seq,
    correlation: options.correlation ?? 0,
    payload,
  };
}

/** The end-of-stream frame that closes a lane: everything numbered before it was sent. */
export function eosFrame(seq: number): Frame {
  return { type: FrameType.EOS, flags: 0, seq, correlation: 0, payload: EMPTY };
}
