/**
 * Where a program's stdout FIFO is read into (program.ts): each read lands right after the last
 * one in a slab that is never written twice, so a read is the reader's to keep with no copy of
 * it, and a line that spans reads lies in one piece of memory — the deframer hands it over as
 * one view instead of copying its pieces together (framing.ts). A new slab is started once the
 * room left is less than a read may take; an old one is freed when the last message viewing it
 * is (a queued message holds at most its slab: the stdout queue's marks bound how many).
 */

/** What one read may take: a pipe's whole default capacity. */
export const READ_BYTES = 64 * 1024;
/** Sixteen reads' room: a full slab wastes at most a sixteenth of it. */
const SLAB_BYTES = 16 * READ_BYTES;

/** A new slab, not zero-filled (1 MiB of memset a slab): a view only ever shows bytes read into it. */
function newSlab(): ArrayBuffer {
  return Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
}

export class ReadSlab {
  #slab = newSlab();
  #used = 0;

  /** The buffer the next read goes into: `READ_BYTES`, right after the last read's bytes. */
  next(): Uint8Array {
    if (SLAB_BYTES - this.#used < READ_BYTES) {
      this.#slab = newSlab();
      this.#used = 0;
    }
    return new Uint8Array(this.#slab, this.#used, READ_BYTES);
  }

  /** The read into the last `next()` took `n` bytes of it: they are the caller's to keep. */
  took(buffer: Uint8Array, n: number): Uint8Array {
    this.#used += n;
    return buffer.subarray(0, n);
  }
}
