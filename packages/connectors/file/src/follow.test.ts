import assert from "node:assert/strict";
import {
  appendFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { follow } from "./follow.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-follow-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Collects what `follow` yields until `want` bytes arrived (as text). */
async function reader(path: string, signal: AbortSignal) {
  let text = "";
  const waiters: { want: string; resolve: () => void }[] = [];
  const done = (async () => {
    for await (const chunk of follow(path, { signal, pollMs: 20 })) {
      text += Buffer.from(chunk).toString();
      for (const w of waiters.splice(0)) {
        if (text.includes(w.want)) w.resolve();
        else waiters.push(w);
      }
    }
  })();
  return {
    get text() {
      return text;
    },
    until(want: string): Promise<void> {
      if (text.includes(want)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ want, resolve }));
    },
    done,
  };
}

it("follows appends, truncation and rotation, and waits for a file that does not exist yet", async () => {
  const path = join(dir, "app.log");
  const stop = new AbortController();
  const r = await reader(path, stop.signal);
  await new Promise((resolve) => setTimeout(resolve, 50));
  writeFileSync(path, "one\n");
  await r.until("one\n");
  appendFileSync(path, "two\n");
  await r.until("two\n");
  truncateSync(path, 0);
  await new Promise((resolve) => setTimeout(resolve, 60));
  appendFileSync(path, "three\n");
  await r.until("three\n");
  appendFileSync(path, "four\n");
  renameSync(path, `${path}.1`);
  writeFileSync(path, "five\n");
  await r.until("five\n");
  stop.abort();
  await r.done;
  assert.equal(r.text, "one\ntwo\nthree\nfour\nfive\n");
});
