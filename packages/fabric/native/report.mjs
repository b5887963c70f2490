// Run by the root package's postinstall: npm shows a workspace install script's output only
// when it fails, so a native build that gave up (and exited 0) would go unsaid. This repeats
// its one-line reason where the user sees it. Plain JavaScript: it runs on whatever Node npm has.
import { existsSync, readFileSync } from "node:fs";

const note = new URL("./build/UNAVAILABLE.txt", import.meta.url);
if (existsSync(note)) {
  const reason = readFileSync(note, "utf8").trim().split("\n")[0];
  process.stderr.write(`rtt: warning: shm lanes unavailable (${reason}); lanes will use uds\n`);
}
