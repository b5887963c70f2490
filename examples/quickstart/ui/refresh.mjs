// The quickstart's UI refresh hook, a request/response program on stdio: it writes one HTTP
// request message line on stdout ({"method":"GET","path":"/series"}), reads the response
// message line from stdin ({"status":200,"headers":{…},"body":"<base64>"}), and appends
// {"received_ms":…,"status":…,"series":{…}} to a log file. RTT's process driver carries the
// request to the metrics API and the response back; nothing else may go to stdout. On stderr
// (the panel's log) it says what the answers are when that changes, not once a second.
// Start: node refresh.mjs [file] [interval_ms]
//   file: default ../logs/refresh.ndjson beside this folder; interval_ms: 0 or absent = once.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const file = resolve(process.argv[2] ?? resolve(here, "../logs/refresh.ndjson"));
const intervalMs = Number(process.argv[3] ?? 0);
mkdirSync(dirname(file), { recursive: true });

const replies = createInterface({ input: process.stdin, crlfDelay: Infinity })[
  Symbol.asyncIterator
]();

/** What stderr last said about the answers: said again only when it changes. */
let said = "";

/** One exchange: the request out, the response in, one log line. Returns the status (0 = none). */
async function refresh() {
  process.stdout.write(`${JSON.stringify({ method: "GET", path: "/series" })}\n`);
  let line;
  do {
    const next = await replies.next();
    if (next.done) {
      process.stderr.write("refresh: stdin closed before a response came\n");
      return 0;
    }
    line = next.value;
  } while (line.trim() === "");
  let response;
  try {
    response = JSON.parse(line);
  } catch {
    process.stderr.write(`refresh: not a response message: ${line.slice(0, 80)}\n`);
    return 0;
  }
  const status = Number(response.status);
  const text = Buffer.from(response.body ?? "", "base64").toString("utf8");
  let series = null;
  try {
    series = JSON.parse(text).series ?? null;
  } catch {
    // Not JSON (an error page, a 502 from the driver): logged with series null.
  }
  appendFileSync(file, `${JSON.stringify({ received_ms: Date.now(), status, series })}\n`);
  const names = series === null ? "no series" : `${Object.keys(series).length} series`;
  const saying = `refresh: ${status}, ${names} → ${file}\n`;
  if (saying !== said) process.stderr.write(saying);
  said = saying;
  return status;
}

let status = await refresh();
while (intervalMs > 0 && status !== 0) {
  await new Promise((r) => setTimeout(r, intervalMs));
  status = await refresh();
}
process.exit(status >= 200 && status < 300 ? 0 : 1);
