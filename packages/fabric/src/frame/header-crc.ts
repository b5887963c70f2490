/**
 * The header CRC-32 (IEEE 802.3, reflected, polynomial 0xedb88320): the same function as
 * zlib.crc32, over header bytes 0..11 ++ 16..31 (docs/design.md §Data plane: frames).
 *
 * Table-driven in JS because the header is only 28 bytes: about 5x faster than two `zlib.crc32`
 * calls for so few bytes; its value is the same as `zlib.crc32(bytes 0..11 ++ 16..31)`, which
 * the tests check. Payload CRCs use `zlib.crc32` (native, fast on long inputs).
 */

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC-32 of header bytes 0..11 ++ 16..31 (everything but the CRC field itself). */
export function headerCrc(b: Uint8Array, o: number): number {
  const t = CRC_TABLE;
  let c = -1;
  for (let i = o; i < o + 12; i++) c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  for (let i = o + 16; i < o + 32; i++) {
    c = (t[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}
