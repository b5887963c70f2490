/**
 * A driver's log as its host keeps it: the driver's stdout and stderr mirrored line by line,
 * the host's own notes about it ("host" lines: restarts, kills), and the last lines the driver
 * printed, which every start-up error quotes.
 */
import type { Readable } from "node:stream";
import { LineSplitter, OutputTail } from "./output-lines.ts";

export interface DriverLogLine {
  readonly driver: string;
  readonly pid: number;
  /** "host" lines are the host's own notes about the driver (restarts, kills). */
  readonly stream: "stdout" | "stderr" | "host";
  readonly line: string;
}

/** Where mirrored output goes: a function, or false for nowhere but `onLine`. */
export type DriverLogSink = ((line: DriverLogLine) => void) | false;

export class DriverLog {
  readonly #driver: string;
  /** Undefined: stderr as `[name] line`. */
  readonly #sink: DriverLogSink | undefined;
  readonly #onLine: (line: DriverLogLine) => void;
  readonly #tail: OutputTail;

  /** `onLine` sees every line first (the host's 'log' event); `tailLines` are kept for errors. */
  constructor(
    driver: string,
    sink: DriverLogSink | undefined,
    tailLines: number,
    onLine: (line: DriverLogLine) => void,
  ) {
    this.#driver = driver;
    this.#sink = sink;
    this.#tail = new OutputTail(tailLines);
    this.#onLine = onLine;
  }

  /** A note of the host about the driver `pid`. */
  note(line: string, pid: number): void {
    this.#write({ driver: this.#driver, pid, stream: "host", line });
  }

  /** Mirrors one output stream of the driver `pid`, line by line, until it ends. */
  mirror(stream: Readable | null, kind: "stdout" | "stderr", pid: number): void {
    if (stream === null) return;
    const splitter = new LineSplitter();
    const write = (line: string) => this.#write({ driver: this.#driver, pid, stream: kind, line });
    stream.on("data", (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) write(line);
    });
    stream.on("end", () => {
      for (const line of splitter.end()) write(line);
    });
    stream.on("error", () => {});
  }

  /** The last lines the driver printed (the host's notes are not among them). */
  lastLines(): string[] {
    return this.#tail.lines();
  }

  /** Forgets the last lines: a new run of the driver starts. */
  clear(): void {
    this.#tail.clear();
  }

  #write(entry: DriverLogLine): void {
    if (entry.stream !== "host") this.#tail.push(entry.line);
    this.#onLine(entry);
    const sink = this.#sink;
    if (sink === false) return;
    if (sink !== undefined) sink(entry);
    else process.stderr.write(`[${entry.driver}] ${entry.line}\n`);
  }
}
