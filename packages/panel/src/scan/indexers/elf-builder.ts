/**
 * For tests: a minimal 64-bit little-endian ELF shared object holding a `.dynsym` and its
 * `.dynstr`, with the symbols given, laid out as a linker would (header, tables, section
 * headers). Enough for the ELF reader; not a loadable library.
 */
export interface TestSymbol {
  readonly name: string;
  /** STB_*: 0 local, 1 global, 2 weak. */
  readonly bind: number;
  /** STT_*: 1 object, 2 function. */
  readonly type: number;
  /** The section it is defined in; 0 = undefined (imported). */
  readonly shndx: number;
  /** STV_*: 0 default, 2 hidden, 3 protected. */
  readonly visibility?: number;
}

export function buildElf(symbols: readonly TestSymbol[], elfClass = 2): Buffer {
  const names: number[] = [];
  let strtab = "\0";
  for (const s of symbols) {
    names.push(strtab.length);
    strtab += `${s.name}\0`;
  }
  const strings = Buffer.from(strtab, "latin1");
  const dynsym = Buffer.alloc(24 * (symbols.length + 1));
  symbols.forEach((s, i) => {
    const at = 24 * (i + 1);
    dynsym.writeUInt32LE(names[i] as number, at);
    dynsym.writeUInt8((s.bind << 4) | s.type, at + 4);
    dynsym.writeUInt8(s.visibility ?? 0, at + 5);
    dynsym.writeUInt16LE(s.shndx, at + 6);
  });
  const dynsymAt = 64;
  const strAt = dynsymAt + dynsym.length;
  const shoff = Math.ceil((strAt + strings.length) / 8) * 8;
  const sections = Buffer.alloc(64 * 3);
  // [0] null, [1] .dynsym linked to [2] .dynstr
  sections.writeUInt32LE(11, 64 + 4);
  sections.writeBigUInt64LE(BigInt(dynsymAt), 64 + 24);
  sections.writeBigUInt64LE(BigInt(dynsym.length), 64 + 32);
  sections.writeUInt32LE(2, 64 + 40);
  sections.writeBigUInt64LE(24n, 64 + 56);
  sections.writeUInt32LE(3, 128 + 4);
  sections.writeBigUInt64LE(BigInt(strAt), 128 + 24);
  sections.writeBigUInt64LE(BigInt(strings.length), 128 + 32);
  const header = Buffer.alloc(64);
  header.write("\x7fELF", 0, "latin1");
  header.writeUInt8(elfClass, 4);
  header.writeUInt8(1, 5); // little-endian
  header.writeUInt8(1, 6);
  header.writeUInt16LE(3, 16); // ET_DYN
  header.writeUInt16LE(62, 18); // x86-64
  header.writeUInt32LE(1, 20);
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x34);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(3, 0x3c);
  const file = Buffer.alloc(shoff + sections.length);
  header.copy(file, 0);
  dynsym.copy(file, dynsymAt);
  strings.copy(file, strAt);
  sections.copy(file, shoff);
  return file;
}
