/**
 * How the CLI writes for people: colour only on a TTY and never with NO_COLOR, aligned tables,
 * progress that overwrites itself on a TTY and stays silent elsewhere.
 */
import type { Writable } from "node:stream";

export interface Terminal {
  readonly out: Writable & { isTTY?: boolean };
  readonly err: Writable & { isTTY?: boolean };
  readonly color: boolean;
}

export function terminal(out = process.stdout, err = process.stderr, env = process.env): Terminal {
  const color = out.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
  return { out, err, color };
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

export function paint(t: Terminal, style: keyof typeof CODES, text: string): string {
  return t.color ? `\x1b[${CODES[style]}m${text}\x1b[0m` : text;
}

/** Left-aligned columns separated by two spaces; the last column is never padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

/**
 * A one-line progress display on stderr, redrawn at most every 100 ms; a no-op off a TTY.
 * It takes a function so the text is only built when it is shown.
 */
export function progressLine(t: Terminal): { update(text: () => string): void; done(): void } {
  if (t.err.isTTY !== true) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      t.err.write(`\r\x1b[K${text()}`);
    },
    done() {
      if (shown) t.err.write("\r\x1b[K");
    },
  };
}

/** "1 file", "12,345 files". Grouped by hand: toLocaleString loads ICU, 20 ms on a cold start. */
export function count(n: number, one: string, many = `${one}s`): string {
  const grouped = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${grouped} ${n === 1 ? one : many}`;
}
