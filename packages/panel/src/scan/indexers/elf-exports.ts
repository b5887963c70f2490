/**
 * Shared libraries (`*.so`, `*.so.N…`) that export `rtt_*` functions or data: each such symbol
 * is a `plugin` (an entry point a host can bind by name), in the namespace of the library
 * (`librelay.so.1.2.3` → `relay`), versioned by its file name's full version when it has one.
 * One claim per symbol rather than per library, so a route can name the entry point it wants.
 * The dynamic symbol table is read from the file's bytes (elf.ts), never by running `nm`; a
 * `.so` that is not a 64-bit little-endian ELF shared object (a linker script, a 32-bit build)
 * claims nothing. Parser-found, so scored below declared metadata.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { RttError } from "@rtt/core";
import { errorText } from "../fs-error-text.ts";
import { discoveredSaddr } from "./address.ts";
import { type ByteSource, exportedSymbols } from "./elf.ts";
import type { Discovery, FileFacts, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { claim, PARSED_SCORE } from "./project-meta.ts";

const NAME = "elf-exports";
const SHARED_LIBRARY = /^(?:lib)?(.+?)\.so((?:\.[0-9]+)*)$/;

type ElfFact = { readonly symbol: string };

/** The file's bytes by position, through one descriptor opened non-blocking. */
function withFile<T>(abs: string, use: (source: ByteSource) => T): T {
  const fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    const size = stats.isFile() ? stats.size : 0;
    return use({
      size,
      read(offset, length) {
        const buffer = Buffer.alloc(length);
        let filled = 0;
        while (filled < length) {
          const n = readSync(fd, buffer, filled, length - filled, offset + filled);
          if (n === 0) break;
          filled += n;
        }
        return buffer.subarray(0, filled);
      },
    });
  } finally {
    closeSync(fd);
  }
}

function read(input: IndexInput): ElfFact[] {
  const magic = input.head(4);
  if (magic.length < 4 || magic.toString("latin1") !== "\x7fELF") return [];
  let found: ReturnType<typeof exportedSymbols>;
  try {
    found = withFile(input.abs, exportedSymbols);
  } catch (error) {
    // Gone or unreadable since the walk: reported at the file, like a manifest that was.
    throw new RttError("RTT_ERR_SCAN_UNREADABLE", `not read: ${errorText(error)}`, {
      position: { file: input.rel, line: 1, column: 1 },
    });
  }
  if (!found.ok) return [];
  return found.symbols.filter((s) => s.startsWith("rtt_")).map((symbol) => ({ symbol }));
}

function discover(files: readonly FileFacts<ElfFact>[]): Discovery[] {
  return files.flatMap(({ rel, facts }) => {
    const file = rel.slice(rel.lastIndexOf("/") + 1);
    const [, library, suffix] = SHARED_LIBRARY.exec(file) as unknown as [string, string, string];
    const version = suffix.slice(1);
    return facts.map(({ symbol }) =>
      claim(NAME, rel, 1, PARSED_SCORE, {
        saddr: discoveredSaddr({
          namespace: library,
          type: "plugin",
          name: symbol.slice("rtt_".length) || symbol,
          version,
        }),
        type: "plugin",
        direction: "provider",
        "x-library": file,
        "x-symbol": symbol,
      }),
    );
  });
}

export const elfExports: Indexer<ElfFact> = {
  name: NAME,
  revision: 1,
  wanted: { containing: [".so"] },
  wants: (entry: IndexEntry) => entry.kind === "file" && SHARED_LIBRARY.test(entry.name),
  read,
  discover,
};
