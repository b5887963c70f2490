// The quickstart's NDJSON logger: reads JSON lines on stdin, appends each valid one to a file
// with the time it was received, and reports malformed lines on stderr without writing them.
// Each line is written as it comes, nothing held back: its manifest says `x-reattach: true`, so
// the panel may keep it as a warm spare when a move takes a route off it (ADR 0024).
// Start: node logger.mjs [file]   (default: ../../logs/events.ndjson)
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";

const file = resolve(
  process.argv[2] ?? new URL("../../logs/events.ndjson", import.meta.url).pathname,
);
mkdirSync(dirname(file), { recursive: true });
const fd = openSync(file, "a");
let written = 0;
let rejected = 0;

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === "") continue;
  try {
    const record = JSON.parse(line);
    writeSync(fd, `${JSON.stringify({ received_ms: Date.now(), record })}\n`);
    written++;
  } catch {
    rejected++;
    process.stderr.write(`logger: not JSON, skipped: ${line.slice(0, 80)}\n`);
  }
}
closeSync(fd);
process.stderr.write(`logger: ${written} written, ${rejected} rejected → ${file}\n`);
