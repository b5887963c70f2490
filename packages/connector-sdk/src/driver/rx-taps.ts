/**
 * Rx taps: consumers of a link's rx chunks besides its outbound lane (a control-path Rx stream,
 * rx-stream.ts), fed by the outbound pump (outbound-pump.ts) as it delivers each chunk.
 */
import { chunkOf, correlationOf, PackedBatch, type RxItem } from "./rx-batch.ts";

/** A consumer of a link's rx chunks besides its outbound lane: a control-path Rx stream. */
export interface RxTap {
  /** Index of the last chunk this tap received (0 before the first). */
  readonly last: number;
  /** Takes one chunk; false = its buffer is full, see `drained`. */
  push(chunk: Uint8Array, index: number, correlation: number): boolean;
  /** Resolves when the tap can take more (or is gone). */
  drained(): Promise<void>;
  /** The link closed or its rx ended: no more chunks. */
  end(): void;
}

/** Hands each tap what it has not had of `item` (a batch's messages one by one), numbered from `index`. */
export function pushTaps(taps: Iterable<RxTap>, item: RxItem | PackedBatch, index: number): void {
  if (!(item instanceof PackedBatch)) {
    const chunk = chunkOf(item);
    for (const tap of taps) if (tap.last < index) tap.push(chunk, index, correlationOf(item));
    return;
  }
  let at = index - item.count;
  item.forEach((message, correlation) => {
    at++;
    for (const tap of taps) if (tap.last < at) tap.push(message, at, correlation);
  });
}
