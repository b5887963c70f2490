/**
 * The exported dynamic symbols of an ELF shared object, read from its bytes: the section
 * headers, the `SHT_DYNSYM` table and the string table it links to. Only 64-bit little-endian
 * files are read (what x86-64 and aarch64 Linux build). The file is hostile input: every offset
 * and size is checked against the file before it is read and bounded in size, and anything
 * that does not add up is a clean "not read" result, never an exception or a huge allocation.
 */

/** Random access to a file's bytes; `read` returns fewer bytes only at the end of the file. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export type ElfSymbols =
  | { readonly ok: true; readonly symbols: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const SHT_DYNSYM = 11;
const SHT_STRTAB = 3;
const ET_DYN = 3;
/** Bounds on what one library may make us read: far above any real one. */
const MAX_TABLE_BYTES = 16 << 20;
const MAX_NAME = 1024;
/** STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE. */
const EXPORTED_BINDINGS = new Set([1, 2, 10]);
/** STT_OBJECT, STT_FUNC, STT_TLS, STT_GNU_IFUNC: what `nm -D --defined-only` lists as code or data. */
const EXPORTED_TYPES = new Set([1, 2, 6, 10]);

const fail = (reason: string): ElfSymbols => ({ ok: false, reason });

/** A u64 as a number when it is a safe integer, else undefined. */
function u64(view: DataView, at: number): number | undefined {
  const value = view.getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** `length` bytes at `offset`, or undefined when they are not all inside the file. */
function slice(source: ByteSource, offset: number, length: number): Uint8Array | undefined {
  if (offset < 0 || length < 0 || offset + length > source.size) return undefined;
  const bytes = source.read(offset, length);
  return bytes.length === length ? bytes : undefined;
}

interface Section {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entsize: number;
}

function sections(source: ByteSource, header: DataView): Section[] | string {
  const shoff = u64(header, 0x28);
  const shentsize = header.getUint16(0x3a, true);
  const shnum = header.getUint16(0x3c, true);
  if (shoff === undefined || shoff === 0 || shnum === 0) return "no section headers";
  if (shentsize !== SHDR_SIZE) return "unexpected section header size";
  const table = slice(source, shoff, shnum * SHDR_SIZE);
  if (table === undefined) return "section headers outside the file";
  const view = viewOf(table);
  const found: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = i * SHDR_SIZE;
    const offset = u64(view, at + 24);
    const size = u64(view, at + 32);
    const entsize = u64(view, at + 56);
    if (offset === undefined || size === undefined || entsize === undefined) {
      return `section ${i} is out of range`;
    }
    found.push({
      type: view.getUint32(at + 4, true),
      offset,
      size,
      link: view.getUint32(at + 40, true),
      entsize,
    });
  }
  return found;
}

/** The NUL-terminated name at `at` in a string table, or undefined when it runs off the end. */
function nameAt(strings: Uint8Array, at: number): string | undefined {
  if (at >= strings.length) return undefined;
  const end = strings.indexOf(0, at);
  if (end < 0 || end - at > MAX_NAME) return undefined;
  let name = "";
  for (let i = at; i < end; i++) {
    const c = strings[i] as number;
    if (c < 0x21 || c > 0x7e) return undefined; // symbol names are printable ASCII
    name += String.fromCharCode(c);
  }
  return name;
}

/**
 * The names of the symbols a shared object exports: defined (not `SHN_UNDEF`), global or weak,
 * default or protected visibility, functions (plain or GNU indirect) or data (plain or TLS). Sorted, without duplicates.
 */
export function exportedSymbols(source: ByteSource): ElfSymbols {
  const ident = slice(source, 0, EHDR_SIZE);
  if (ident === undefined) return fail("too short for an ELF header");
  if (ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
    return fail("not ELF");
  }
  if (ident[4] !== 2 || ident[5] !== 1) return fail("not a 64-bit little-endian ELF file");
  const header = viewOf(ident);
  if (header.getUint16(16, true) !== ET_DYN) return fail("not a shared object");
  const all = sections(source, header);
  if (typeof all === "string") return fail(all);
  const dynsym = all.find((s) => s.type === SHT_DYNSYM);
  if (dynsym === undefined) return { ok: true, symbols: [] };
  const strtab = all[dynsym.link];
  if (strtab === undefined || strtab.type !== SHT_STRTAB)
    return fail("no string table for .dynsym");
  if (dynsym.entsize !== SYM_SIZE || dynsym.size % SYM_SIZE !== 0) return fail("odd .dynsym");
  if (dynsym.size > MAX_TABLE_BYTES || strtab.size > MAX_TABLE_BYTES) return fail("tables too big");
  const symbols = slice(source, dynsym.offset, dynsym.size);
  const strings = slice(source, strtab.offset, strtab.size);
  if (symbols === undefined || strings === undefined) return fail("tables outside the file");
  const view = viewOf(symbols);
  const names = new Set<string>();
  for (let at = 0; at < symbols.length; at += SYM_SIZE) {
    const info = view.getUint8(at + 4);
    const binding = info >> 4;
    const type = info & 0xf;
    const visibility = view.getUint8(at + 5) & 3;
    const shndx = view.getUint16(at + 6, true);
    // Undefined (0) or reserved (SHN_ABS: the version names a linker script defines) indices.
    if (shndx === 0 || shndx >= 0xff00 || !EXPORTED_BINDINGS.has(binding)) continue;
    if (!EXPORTED_TYPES.has(type) || (visibility !== 0 && visibility !== 3)) continue;
    const name = nameAt(strings, view.getUint32(at, true));
    if (name !== undefined && name !== "") names.add(name);
  }
  return { ok: true, symbols: [...names].sort() };
}
