/**
 * The INI dialect of systemd unit files (systemd.syntax(7)), enough to read what a unit runs
 * and listens on: `[Section]` headers, `Key=Value` entries (whitespace around both trimmed),
 * `#`/`;` comment lines, and a line ending in `\` continued on the next one (the backslash
 * becomes a space; comment lines inside a continuation are skipped, as systemd does). Each
 * entry keeps the line it starts on, for a claim's provenance. Never throws: a line that is none
 * of these is ignored, like systemd ignores it with a warning.
 */

export interface UnitEntry {
  /** The section it sits in; "" before the first header. */
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

const SECTION = /^\[([^\]]*)\]$/;

function isComment(line: string): boolean {
  return line.startsWith("#") || line.startsWith(";");
}

/** Every entry of `text`, in file order. */
export function parseUnitFile(text: string): UnitEntry[] {
  const lines = text.split(/\r?\n/);
  const entries: UnitEntry[] = [];
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = (lines[i] ?? "").trim();
    if (line === "" || isComment(line)) continue;
    const header = SECTION.exec(line);
    if (header !== null) {
      section = (header[1] ?? "").trim();
      continue;
    }
    if (line.endsWith("\\")) {
      // Parts joined once at the end: appending to a growing string would be quadratic.
      const parts = [line.slice(0, -1)];
      while (i + 1 < lines.length) {
        const next = (lines[++i] ?? "").trim();
        if (isComment(next)) continue; // skipped inside a continuation, as systemd does
        const more = next.endsWith("\\");
        parts.push(more ? next.slice(0, -1) : next);
        if (!more) break;
      }
      line = parts.join(" ");
    }
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    entries.push({
      section,
      key: line.slice(0, eq).trim(),
      value: line.slice(eq + 1).trim(),
      line: start,
    });
  }
  return entries;
}

/** The values of `key` in `section`, in order: an empty value resets the list (systemd's rule). */
export function valuesOf(entries: readonly UnitEntry[], section: string, key: string): UnitEntry[] {
  let found: UnitEntry[] = [];
  for (const e of entries) {
    if (e.section !== section || e.key !== key) continue;
    found = e.value === "" ? [] : [...found, e];
  }
  return found;
}
