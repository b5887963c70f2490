/**
 * The entries of a git index file (`.git/index`, gitformat-index(5): "DIRC", versions 2, 3 and
 * 4), as much as telling a clean worktree from a dirty one needs: each path with the size, mtime
 * and mode git last saw, its merge stage and whether it is outside the sparse checkout.
 *
 * The file is input like any other: every read is bounds-checked and a malformed index yields
 * undefined, never an exception or an out-of-range read.
 */

export interface GitIndexEntry {
  readonly path: string;
  readonly mtimeSeconds: number;
  readonly mtimeNanos: number;
  /** git's 32-bit mode: 0o100644, 0o100755, 0o120000 (link), 0o160000 (submodule)… */
  readonly mode: number;
  /** The size, truncated to 32 bits as git stores it. */
  readonly size: number;
  /** 0 for a merged path; 1-3 while a merge conflict is unresolved. */
  readonly stage: number;
  /** Not checked out (sparse checkout / skip-worktree): its file is expected missing. */
  readonly skipWorktree: boolean;
}

export interface GitIndex {
  readonly version: 2 | 3 | 4;
  readonly entries: readonly GitIndexEntry[];
  /** A split index keeps most entries in another file: these are not all of them. */
  readonly split: boolean;
}

/** Bytes before an entry's object id: ctime, mtime (2×8), dev, ino, mode, uid, gid, size. */
const STAT_BYTES = 40;
const EXTENDED = 0x4000;
const SKIP_WORKTREE = 0x4000;
const NAME_MASK = 0x0fff;

class Reader {
  offset = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }
  has(n: number): boolean {
    return n >= 0 && this.offset + n <= this.buf.length;
  }
  u16(): number {
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  /** A v4 path-prefix length: git's offset varint. */
  varint(): number | undefined {
    if (!this.has(1)) return undefined;
    let c = this.buf[this.offset++] as number;
    let value = c & 0x7f;
    while (c & 0x80) {
      if (!this.has(1) || value > 0xffffff) return undefined;
      c = this.buf[this.offset++] as number;
      value = ((value + 1) << 7) | (c & 0x7f);
    }
    return value;
  }
  /** Bytes up to the next NUL (consumed), or undefined when there is none. */
  cstring(): Buffer | undefined {
    const end = this.buf.indexOf(0, this.offset);
    if (end < 0) return undefined;
    const s = this.buf.subarray(this.offset, end);
    this.offset = end + 1;
    return s;
  }
}

function entryAt(
  r: Reader,
  version: 2 | 3 | 4,
  idBytes: number,
  previous: Buffer,
): { entry: GitIndexEntry; name: Buffer } | undefined {
  const start = r.offset;
  if (!r.has(STAT_BYTES + idBytes + 2)) return undefined;
  r.offset += 8; // ctime
  const mtimeSeconds = r.u32();
  const mtimeNanos = r.u32();
  r.offset += 8; // dev, ino
  const mode = r.u32();
  r.offset += 8; // uid, gid
  const size = r.u32();
  r.offset += idBytes;
  const flags = r.u16();
  let extended = 0;
  if (flags & EXTENDED) {
    if (version < 3 || !r.has(2)) return undefined;
    extended = r.u16();
  }
  let name: Buffer;
  if (version === 4) {
    const strip = r.varint();
    const suffix = r.cstring();
    if (strip === undefined || suffix === undefined || strip > previous.length) return undefined;
    name = Buffer.concat([previous.subarray(0, previous.length - strip), suffix]);
  } else {
    const length = flags & NAME_MASK;
    const found = r.cstring();
    if (found === undefined || (length < NAME_MASK && found.length !== length)) return undefined;
    name = found;
    // Entries are padded with NULs to a multiple of 8 bytes (1 to 8 of them, the first read).
    const padded = start + ((r.offset - start + 7) & ~7);
    if (padded > r.buf.length) return undefined;
    r.offset = padded;
  }
  const entry: GitIndexEntry = {
    path: name.toString("utf8"),
    mtimeSeconds,
    mtimeNanos,
    mode,
    size,
    stage: (flags >> 12) & 0x3,
    skipWorktree: (extended & SKIP_WORKTREE) !== 0,
  };
  return { entry, name };
}

/** Whether a "link" (split index) extension follows the entries. */
function hasSplitLink(r: Reader, idBytes: number): boolean {
  while (r.has(8 + idBytes)) {
    const signature = r.buf.toString("latin1", r.offset, r.offset + 4);
    r.offset += 4;
    const size = r.u32();
    if (signature === "link") return true;
    if (!r.has(size)) return false;
    r.offset += size;
  }
  return false;
}

/**
 * The index in `buf`; `idBytes` is the object id length (20 for SHA-1, 32 for SHA-256).
 * `maxEntries` bounds the work on a hostile header.
 */
export function parseGitIndex(
  buf: Buffer,
  idBytes = 20,
  maxEntries = 1 << 21,
): GitIndex | undefined {
  const r = new Reader(buf);
  if (!r.has(12) || buf.toString("latin1", 0, 4) !== "DIRC") return undefined;
  r.offset = 4;
  const version = r.u32();
  if (version !== 2 && version !== 3 && version !== 4) return undefined;
  const count = r.u32();
  // An entry takes at least 42 + id bytes: a count the file cannot hold is a lie.
  if (count > maxEntries || count * (STAT_BYTES + idBytes + 2) > buf.length) return undefined;
  const entries: GitIndexEntry[] = [];
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    const next = entryAt(r, version, idBytes, previous);
    if (next === undefined) return undefined;
    entries.push(next.entry);
    previous = next.name;
  }
  return { version, entries, split: hasSplitLink(r, idBytes) };
}
