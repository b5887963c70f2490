/**
 * Deterministic test traffic: frame n's payload size and bytes are a pure function of n, so a
 * reader in another process can check every frame it receives — size, content, order — without
 * anything but the sequence number. Sizes are log-uniform from 1 B to 64 KiB (as many 1–8 B
 * frames as 8–64 KiB ones), content is a slice of a seeded pseudo-random pool.
 */

const MAX_SIZE = 64 * 1024;
const POOL_SIZE = 1024 * 1024 + MAX_SIZE;

/** Murmur3's 32-bit finaliser: a cheap, well-mixed hash of n. */
function mix(n: number): number {
  let h = n >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function makePool(seed: number): Buffer {
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i += 4) pool.writeUInt32LE(mix(seed + i), i);
  return pool;
}

export class Traffic {
  readonly #pool: Buffer;
  readonly #seed: number;

  constructor(seed = 1) {
    this.#seed = seed;
    this.#pool = makePool(seed);
  }

  /** Size of frame n: log-uniform in [1, 64 KiB]. */
  size(n: number): number {
    const u = mix(n ^ this.#seed) / 0x1_0000_0000;
    return Math.min(MAX_SIZE, Math.max(1, Math.floor(Math.exp(u * Math.log(MAX_SIZE + 1)))));
  }

  /** Frame n's payload: a view into the pool, no allocation. */
  payload(n: number): Buffer {
    const size = this.size(n);
    const offset = mix(n * 2654435761) % (POOL_SIZE - size);
    return this.#pool.subarray(offset, offset + size);
  }

  /** True when `bytes` is exactly frame n's payload. */
  check(n: number, bytes: Uint8Array): boolean {
    const expected = this.payload(n);
    return bytes.length === expected.length && Buffer.compare(expected, bytes) === 0;
  }
}
