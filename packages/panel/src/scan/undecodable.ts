/**
 * Names that are not UTF-8. Linux allows any bytes but '/' and NUL in a name; Node decodes a
 * bad one lossily (U+FFFD), and the path built from that decoding names nothing, so a manifest
 * under such a folder would vanish without a word (issue 15, finding 9). The walk hands such
 * folders here: they are searched by their raw bytes, and every manifest or sidecar found is
 * reported by its path with the bad bytes escaped, never read (its address would live at a path
 * no report can name).
 */
import { type Dirent, readdirSync } from "node:fs";
import { sep } from "node:path";

const strict = new TextDecoder("utf-8", { fatal: true });

/** The name decodes as strict UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** How many bytes a UTF-8 sequence starting with `lead` takes (1 for a stray byte). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * A name (or path) fit for a report: valid UTF-8 kept as it is, every byte that is not part of
 * one written `\xNN`, control characters too, and '\' doubled so the form is unambiguous.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes[i] as number);
    let char: string | undefined;
    if (i + n <= bytes.length) {
      try {
        char = strict.decode(bytes.subarray(i, i + n));
      } catch {
        char = undefined;
      }
    }
    if (char === undefined || (n === 1 && ((bytes[i] as number) < 0x20 || bytes[i] === 0x7f))) {
      out += `\\x${(bytes[i] as number).toString(16).padStart(2, "0")}`;
      i += 1;
    } else {
      out += char === "\\" ? "\\\\" : char;
      i += n;
    }
  }
  return out;
}

/** A folder's raw entries whose names are not UTF-8 (read again by bytes, as a rare case). */
export function undecodableEntries(folder: string): Dirent<Buffer>[] {
  try {
    return readdirSync(folder, { encoding: "buffer", withFileTypes: true }).filter(
      (e) => !isUtf8(e.name),
    );
  } catch {
    // It vanished or closed since the first read: its entries are gone with it.
    return [];
  }
}

/**
 * Every file under `folder` (raw path, its own name not UTF-8) that `wanted` picks by its
 * escaped name and parent, as escaped paths relative to the workspace. Links are not followed,
 * unreadable folders are passed over: this only looks for what to report.
 */
export function filesUnder(
  folder: Buffer,
  rel: string,
  wanted: (name: string, parentRel: string, isDir: boolean) => boolean,
): string[] {
  const found: string[] = [];
  const stack: { abs: Buffer; rel: string }[] = [{ abs: folder, rel }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(frame.abs, { encoding: "buffer", withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = escapeBytes(entry.name);
      const childRel = `${frame.rel}/${name}`;
      if (entry.isDirectory()) {
        if (wanted(name, frame.rel, true))
          stack.push({
            abs: Buffer.concat([frame.abs, Buffer.from(sep), entry.name]),
            rel: childRel,
          });
      } else if (wanted(name, frame.rel, false)) {
        found.push(childRel);
      }
    }
  }
  return found.sort();
}
