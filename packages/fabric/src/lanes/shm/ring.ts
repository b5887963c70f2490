/**
 * A single-producer single-consumer byte ring in shared memory (docs/design.md §Data plane: lanes).
 * One process writes records, one reads them; neither ever takes a lock.
 *
 *   segment (page aligned)
 *   ┌─────────────── control page: 4096 bytes, read as Int32 slots ───────────────┐
 *   │ slot 0 magic · 1 version · 2 capacity                                        │
 *   │ slot 16 (byte 64)  write index        — the producer's cache line            │
 *   │ slot 32 (byte 128) read index         — the consumer's cache line            │
 *   │ slot 48 (byte 192) reader parked · slot 64 (byte 256) writer parked          │
 *   ├─────────────── data: `capacity` bytes, a power of two ──────────────────────┤
 *   │ [u32 len][record…][pad to 8] [u32 len][record…] … [u32 PAD → wrap to 0]      │
 *   └──────────────────────────────────────────────────────────────────────────────┘
 *
 * Each index lives on its own 64-byte cache line, so the producer's stores to the write index
 * and the consumer's to the read index never contend for one line (false sharing).
 *
 * Indices are free-running u32 counters of bytes ever written / consumed; a position is
 * `index & (capacity - 1)`, and `(write - read) >>> 0` is the number of bytes in use (correct
 * across the 2^32 wrap because capacity ≤ 2^30). A record that does not fit before the end of
 * the data area is preceded by a PAD marker and written from offset 0 instead, so a record is
 * always contiguous and can be handed out as one view.
 *
 * Memory ordering. The producer copies a record's bytes with plain stores, then publishes it
 * with `Atomics.store(write)`; the consumer does `Atomics.load(write)` before touching the
 * bytes. JS Atomics are sequentially consistent, which is stronger than the release/acquire
 * pair this needs: the store is not reordered before the plain stores that precede it in
 * program order, and the load is not reordered after the plain loads that follow it (V8 emits
 * the fences for that on weakly ordered CPUs; on x86 the seq-cst store is an xchg). The same
 * argument runs the other way for the read index, which frees space for the producer: the
 * consumer has finished reading a record before it publishes the read index past it. The
 * two-process stress test (test/lanes-stress.test.ts) checks every byte of 500,000 records.
 *
 * Parking. A consumer that finds the ring empty spins briefly, then sets `readerParked` and
 * checks the write index once more before sleeping on its doorbell. The producer publishes
 * the write index and then checks `readerParked`. Both sides store then load (seq-cst), so at
 * least one of them sees the other's store (Dekker): either the consumer sees the new record
 * and does not sleep, or the producer sees the flag and rings. No wake-up is lost. The same
 * holds for a producer parked on a full ring.
 */

export const CONTROL_BYTES = 4096;
const MAGIC = 0x52_54_52_47; // "RTRG"
const VERSION = 1;

const SLOT = {
  magic: 0,
  version: 1,
  capacity: 2,
  write: 16,
  read: 32,
  readerParked: 48,
  writerParked: 64,
} as const;

const PAD = 0xffff_ffff;
const LENGTH_BYTES = 4;
const ALIGN = 8;

export const MIN_CAPACITY = 4096;
export const MAX_CAPACITY = 1 << 30;

function align(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Bytes a segment needs for a ring of `capacity` data bytes. */
export function segmentSize(capacity: number): number {
  return CONTROL_BYTES + capacity;
}

/** The largest record a ring takes: half its capacity, so one always fits after a wrap. */
export function maxRecord(capacity: number): number {
  return capacity / 2 - LENGTH_BYTES - ALIGN;
}

export class SpscRing {
  readonly capacity: number;
  readonly #control: Int32Array;
  readonly #data: Uint8Array;
  readonly #view: DataView;
  readonly #mask: number;

  private constructor(buffer: ArrayBufferLike, capacity: number) {
    this.capacity = capacity;
    this.#control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.#data = new Uint8Array(buffer, CONTROL_BYTES, capacity);
    this.#view = new DataView(buffer, CONTROL_BYTES, capacity);
    this.#mask = capacity - 1;
  }

  /** Lays out a fresh ring in a zero-filled buffer of `segmentSize(capacity)` bytes. */
  static format(buffer: ArrayBufferLike, capacity: number): SpscRing {
    if (!isPowerOfTwo(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
      throw new RangeError(
        `ring capacity must be a power of two in [${MIN_CAPACITY}, ${MAX_CAPACITY}], got ${capacity}`,
      );
    }
    if (buffer.byteLength < segmentSize(capacity)) {
      throw new RangeError(
        `a ${buffer.byteLength}-byte segment cannot hold a ${capacity}-byte ring`,
      );
    }
    const ring = new SpscRing(buffer, capacity);
    const c = ring.#control;
    Atomics.store(c, SLOT.capacity, capacity);
    Atomics.store(c, SLOT.version, VERSION);
    // The magic goes last: a peer that sees it sees a complete header.
    Atomics.store(c, SLOT.magic, MAGIC);
    return ring;
  }

  /** Attaches to a ring another process formatted; refuses anything that is not one. */
  static attach(buffer: ArrayBufferLike): SpscRing {
    if (buffer.byteLength < CONTROL_BYTES + MIN_CAPACITY) {
      throw new RangeError("segment too small to hold a ring");
    }
    const control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    if (Atomics.load(control, SLOT.magic) !== MAGIC) {
      throw new RangeError("segment holds no RTT ring (bad magic)");
    }
    const version = Atomics.load(control, SLOT.version);
    if (version !== VERSION)
      throw new RangeError(`ring version ${version}; this build speaks ${VERSION}`);
    const capacity = Atomics.load(control, SLOT.capacity);
    if (!isPowerOfTwo(capacity) || buffer.byteLength < segmentSize(capacity)) {
      throw new RangeError(
        `ring header claims capacity ${capacity}; segment has ${buffer.byteLength} bytes`,
      );
    }
    return new SpscRing(buffer, capacity);
  }

  /** Bytes in use: written, not yet consumed. */
  used(): number {
    return (Atomics.load(this.#control, SLOT.write) - Atomics.load(this.#control, SLOT.read)) >>> 0;
  }

  /**
   * Producer: reserves room for a `length`-byte record, lets `fill(data, offset)` write it in
   * place, and publishes it. Returns false, writing nothing, when the ring is too full.
   */
  tryWrite(length: number, fill: (data: Uint8Array, offset: number) => void): boolean {
    const c = this.#control;
    const write = Atomics.load(c, SLOT.write) >>> 0;
    const read = Atomics.load(c, SLOT.read) >>> 0;
    const position = write & this.#mask;
    const need = align(LENGTH_BYTES + length);
    const toEnd = this.capacity - position;
    const pad = need > toEnd ? toEnd : 0;
    if (need + pad > this.capacity - ((write - read) >>> 0)) return false;
    let at = position;
    if (pad > 0) {
      this.#view.setUint32(position, PAD, true);
      at = 0;
    }
    this.#view.setUint32(at, length, true);
    fill(this.#data, at + LENGTH_BYTES);
    Atomics.store(c, SLOT.write, (write + pad + need) | 0);
    return true;
  }

  /**
   * Consumer: hands each published record to `onRecord` as a view into the ring, valid only
   * during the call, and frees its space once the call returns. Stops after `max` records, or
   * after a record whose `onRecord` returned `false` (that record is consumed; the next stays
   * in the ring for a later `read`). With `until`, a write index `written()` returned earlier,
   * only the records published before it are read; an `until` already consumed reads none.
   * Returns how many records it consumed.
   */
  read(
    onRecord: (record: Uint8Array) => unknown,
    max = Number.POSITIVE_INFINITY,
    until?: number,
  ): number {
    const c = this.#control;
    let write = Atomics.load(c, SLOT.write) >>> 0;
    let read = Atomics.load(c, SLOT.read) >>> 0;
    if (until !== undefined) {
      // Both distances run forward from `read`; one past the records in use is behind it.
      const bounded = (until - read) >>> 0;
      write = bounded <= (write - read) >>> 0 ? until >>> 0 : read;
    }
    let count = 0;
    while (read !== write && count < max) {
      const position = read & this.#mask;
      const length = this.#view.getUint32(position, true);
      if (length === PAD) {
        read = (read + (this.capacity - position)) >>> 0;
        Atomics.store(c, SLOT.read, read | 0);
        continue;
      }
      if (length > this.capacity - position - LENGTH_BYTES) {
        throw new RangeError(
          `ring record of ${length} bytes at offset ${position} overruns the ring: the segment is damaged`,
        );
      }
      const start = position + LENGTH_BYTES;
      const more = onRecord(this.#data.subarray(start, start + length));
      read = (read + align(LENGTH_BYTES + length)) >>> 0;
      count++;
      // Published per record, so a producer waiting for space goes on at once.
      Atomics.store(c, SLOT.read, read | 0);
      if (more === false) break;
    }
    return count;
  }

  /** Consumer: the write index now, for a later `read(…, until)`. */
  written(): number {
    return Atomics.load(this.#control, SLOT.write) >>> 0;
  }

  /** Consumer: the read index now; as `read`'s `until` it reads nothing. */
  consumed(): number {
    return Atomics.load(this.#control, SLOT.read) >>> 0;
  }

  /** Consumer: is a record waiting? */
  hasData(): boolean {
    return Atomics.load(this.#control, SLOT.write) !== Atomics.load(this.#control, SLOT.read);
  }

  /** Producer: would a `length`-byte record fit now? */
  hasRoomFor(length: number): boolean {
    const write = Atomics.load(this.#control, SLOT.write) >>> 0;
    const read = Atomics.load(this.#control, SLOT.read) >>> 0;
    const need = align(LENGTH_BYTES + length);
    const toEnd = this.capacity - (write & this.#mask);
    return need + (need > toEnd ? toEnd : 0) <= this.capacity - ((write - read) >>> 0);
  }

  // Parking flags: the class comment says why store-then-recheck loses no wake-up.
  parkReader(): void {
    Atomics.store(this.#control, SLOT.readerParked, 1);
  }
  /** Clears the reader's flag; true if this call cleared it (so this caller rings). */
  unparkReader(): boolean {
    return Atomics.compareExchange(this.#control, SLOT.readerParked, 1, 0) === 1;
  }
  parkWriter(): void {
    Atomics.store(this.#control, SLOT.writerParked, 1);
  }
  unparkWriter(): boolean {
    return Atomics.compareExchange(this.#control, SLOT.writerParked, 1, 0) === 1;
  }
}
