/**
 * A driver's stdout and stderr, cut into lines for the host's log, and the last few kept so
 * that an error about a driver can show what it said before it failed.
 */
import { StringDecoder } from "node:string_decoder";

/** Longer lines are cut (a driver printing a megabyte without a newline must not cost one). */
export const MAX_LINE = 4096;

/** Cuts a byte stream into lines; "\r\n" and "\n" both end one; UTF-8 split across chunks is fine. */
export class LineSplitter {
  readonly #decoder = new StringDecoder("utf8");
  #partial = "";

  push(chunk: Uint8Array | string): string[] {
    const text =
      this.#partial + (typeof chunk === "string" ? chunk : this.#decoder.write(Buffer.from(chunk)));
    const parts = text.split("\n");
    this.#partial = parts.pop() ?? "";
    const lines = parts.map(clean);
    // A line that keeps growing without a newline is emitted in MAX_LINE pieces.
    while (this.#partial.length > MAX_LINE) {
      lines.push(this.#partial.slice(0, MAX_LINE));
      this.#partial = this.#partial.slice(MAX_LINE);
    }
    return lines;
  }

  /** What is left at the end of the stream, as a last line (if anything). */
  end(): string[] {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = "";
    return rest === "" ? [] : [clean(rest)];
  }
}

function clean(line: string): string {
  const l = line.endsWith("\r") ? line.slice(0, -1) : line;
  return l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l;
}

/** The last `size` lines. */
export class OutputTail {
  readonly #size: number;
  readonly #lines: string[] = [];

  constructor(size: number) {
    this.#size = Math.max(0, size);
  }

  push(line: string): void {
    if (this.#size === 0) return;
    this.#lines.push(line);
    if (this.#lines.length > this.#size) this.#lines.shift();
  }

  lines(): string[] {
    return [...this.#lines];
  }

  clear(): void {
    this.#lines.length = 0;
  }
}

/** The "last output" block of an error message: indented, or a note that there was none. */
export function formatTail(lines: readonly string[]): string {
  if (lines.length === 0) return "\n  (it printed nothing)";
  return `\n  last output:\n${lines.map((l) => `    ${l}`).join("\n")}`;
}
