/**
 * How the CLI writes for people: colour only on a TTY and never with NO_COLOR, aligned tables,
 * progress that overwrites itself on a TTY and stays silent elsewhere.
 */
import type { Writable } from "node:stream";

/** One output stream and whether it may be coloured: decided per stream, since stdout can be a
 * terminal while stderr goes to a file (or the other way round). */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY: boolean;
  readonly color: boolean;
}

export interface Terminal {
  readonly out: OutputStream;
  readonly err: OutputStream;
}

function outputStream(
  stream: Writable & { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
): OutputStream {
  const isTTY = stream.isTTY === true;
  // `rtt ls routes | head`: the reader left, so there is nobody to write for; exit quietly as
  // other command-line tools do instead of dying on an unhandled EPIPE.
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    write: (text) => stream.write(text),
    isTTY,
    color: isTTY && env.NO_COLOR === undefined && env.TERM !== "dumb",
  };
}

export function terminal(out = process.stdout, err = process.stderr, env = process.env): Terminal {
  return { out: outputStream(out, env), err: outputStream(err, env) };
}

const CODES = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

/** Colours `text` for `stream`; a trailing newline stays outside the colour. */
export function paint(stream: OutputStream, style: keyof typeof CODES, text: string): string {
  if (!stream.color) return text;
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return `\x1b[${CODES[style]}m${body}\x1b[0m${body === text ? "" : "\n"}`;
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
  if (!t.err.isTTY) return { update() {}, done() {} };
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
