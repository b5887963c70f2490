/** Files the suites that run `rtt` for real write into a workspace, and the NDJSON they read back. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The complete lines of a file a program may still be writing: a last line without its newline
 * is left for the next read, and empty lines are skipped. A missing file has none.
 */
export function completeLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter((l) => l !== "");
}

const NEWLINE = 0x0a;

/**
 * `completeLines(file).length` without decoding or splitting the file: its newline bytes, less
 * those that end an empty line. For counting a file a program is appending to under load, often.
 */
export function countCompleteLines(file: string): number {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  let count = 0;
  let lineStart = 0;
  for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, lineStart)) {
    if (nl > lineStart) count++;
    lineStart = nl + 1;
  }
  return count;
}

/** The records of an NDJSON file a program may still be writing: its `completeLines`, parsed. */
export function readNdjson<T>(file: string): T[] {
  return completeLines(file).map((l) => JSON.parse(l) as T);
}

/** Writes `text` to `root/rel`, creating folders as needed; returns the absolute path. */
export function writeFile(root: string, rel: string, text: string): string {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return abs;
}
