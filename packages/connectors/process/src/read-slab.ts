/**
 * Where a program's stdout FIFO is read into (program.ts): each read lands right after the last
 * one in a slab, so a read is the reader's to keep with no copy of it, and a line that spans
 * reads lies in one piece of memory — the deframer hands it over as one view instead of copying
 * its pieces together (framing.ts).
 *
 * A slab is written again only once nobody can see it: every view handed on from it is _held_
 * (`hold`) and later _released_ (`release`), and a slab the reader has moved past goes back to
 * its reader's free list when its last hold is released. A view that is never released keeps
 * its slab from ever being reused: it falls to the garbage collector, as every slab did before
 * reuse. So a missed release costs an allocation, and only a release of a view never held could
 * let bytes be written over — the count then goes below zero, and the slab is given up.
 *
 * Why reuse: a 64 KiB line every 2 ms is 32 MB/s of new ArrayBuffers, which V8 counts toward
 * its heap's limits: a major collection every 250–400 ms, each a pause of several ms on a
 * route's path (docs/performance.md).
 */

/** What one read may take: a pipe's whole default capacity. */
export const READ_BYTES = 64 * 1024;
/** Sixteen reads' room: a full slab wastes at most a sixteenth of it. */
const SLAB_BYTES = 16 * READ_BYTES;
/**
 * Free slabs a reader keeps for reuse. A paced route cycles through two or three; a saturated
 * one frees them in bursts, as its stdout queue drains from its pause mark to its resume mark
 * (8 MiB to 2 MiB, stdout-reader.ts): six slabs, reread at once when reading resumes. Those
 * beyond this fall to the GC. At most 8 MiB a program is kept so, once it has run that fast.
 */
const FREE_SLABS = 8;

interface Slab {
  readonly bytes: ArrayBuffer;
  readonly owner: ReadSlab;
  /** Views of it handed on and not yet released. */
  holds: number;
  /** A release came that no hold matched: never reused. */
  lost: boolean;
}

/** Each slab's record, by its buffer: what a view's `.buffer` finds. */
const slabs = new WeakMap<ArrayBufferLike, Slab>();
/**
 * The record found last, and its buffer: a read's messages are all views of one slab, so most
 * holds and releases find it here instead of in the WeakMap. A buffer's record never changes;
 * keeping the last one alive holds at most one slab past its reader's end.
 */
let lastBuffer: ArrayBufferLike | undefined;
let lastSlab: Slab | undefined;

function slabOf(view: Uint8Array): Slab | undefined {
  const buffer = view.buffer;
  if (buffer === lastBuffer) return lastSlab;
  const slab = slabs.get(buffer);
  if (slab !== undefined) {
    lastBuffer = buffer;
    lastSlab = slab;
  }
  return slab;
}

export class ReadSlab {
  #slab: Slab;
  #used = 0;
  readonly #free: Slab[] = [];
  /** Slabs made so far (for tests: reuse means no new ones). */
  made = 0;

  constructor() {
    this.#slab = this.#newSlab();
  }

  /** The buffer the next read goes into: `READ_BYTES`, right after the last read's bytes. */
  next(): Uint8Array {
    if (SLAB_BYTES - this.#used < READ_BYTES) {
      const old = this.#slab;
      this.#slab = this.#free.pop() ?? this.#newSlab();
      this.#used = 0;
      this.#settle(old);
    }
    return new Uint8Array(this.#slab.bytes, this.#used, READ_BYTES);
  }

  /** The read into the last `next()` took `n` bytes of it: they are the caller's to keep. */
  took(buffer: Uint8Array, n: number): Uint8Array {
    this.#used += n;
    return buffer.subarray(0, n);
  }

  /** A slab no longer read into and no longer held: free for a next read, if there is room. */
  #settle(slab: Slab): void {
    if (slab === this.#slab || slab.holds !== 0 || slab.lost) return;
    if (this.#free.length < FREE_SLABS) this.#free.push(slab);
  }

  /** A new slab, not zero-filled (1 MiB of memset): a view only ever shows bytes read into it. */
  #newSlab(): Slab {
    this.made++;
    const bytes = Buffer.allocUnsafeSlow(SLAB_BYTES).buffer as ArrayBuffer;
    const slab: Slab = { bytes, owner: this, holds: 0, lost: false };
    slabs.set(bytes, slab);
    return slab;
  }

  /** `view` (of a slab, or of anything else: then nothing happens) is handed on: one hold more. */
  static hold(view: Uint8Array): void {
    const slab = slabOf(view);
    if (slab !== undefined) slab.holds++;
  }

  /** A view `hold` counted is no longer seen by anyone: one hold less. */
  static release(view: Uint8Array): void {
    const slab = slabOf(view);
    if (slab === undefined) return;
    if (--slab.holds < 0) slab.lost = true;
    else if (slab.holds === 0) slab.owner.#settle(slab);
  }
}
