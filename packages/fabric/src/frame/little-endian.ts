/**
 * Little-endian u16/u32 access to frame bytes (docs/design.md §Data plane: frames). Plain index
 * arithmetic rather than a DataView or Buffer methods: it works on any Uint8Array view and is
 * the fastest on the hot path. Offsets are checked by the callers before any read, so the casts
 * are sound.
 */

export function rd16(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}

export function rd32(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16)) +
    (b[o + 3] as number) * 0x100_0000
  );
}

export function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
}

export function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}
