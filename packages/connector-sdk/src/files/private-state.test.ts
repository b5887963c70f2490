/**
 * Run state is private whatever the umask (issue 15 finding 5, ADR 0022): a route journal, its
 * delivered mark, its source record and a program record are 0600 in 0700 folders, made so
 * under umask 000; a folder an older RTT left 0755 is tightened when a journal opens it.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeProgramRecord } from "../driver/program-record.ts";
import { DeliveredMark, RouteJournal } from "../driver/route-journal.ts";
import { privateDir } from "./private-state.ts";

let root: string;
let umask: number;
before(() => {
  root = mkdtempSync(join(tmpdir(), "rtt-private-"));
  // This test file runs in a process of its own (node --test): the umask is its alone.
  umask = process.umask(0o000);
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Every entry under `dir` with its mode, as "name 600". */
function modes(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((rel) => `${rel} ${modeOf(join(dir, String(rel))).toString(8)}`)
    .sort();
}

describe("private run state", () => {
  it("under umask 000, a journaled route's files are 0600 in 0700 folders", () => {
    const run = join(root, "fresh", "run");
    const dir = join(run, "routes", "r1");
    const journal = RouteJournal.open(dir, 4, "rtt://t/bus/a@1.0.0");
    assert.ok(journal instanceof RouteJournal);
    journal.append(new TextEncoder().encode("secret\n"));
    const mark = new DeliveredMark(dir);
    mark.record(7);
    const state = join(dir, "source-1");
    privateDir(state);
    writeProgramRecord(state, process.pid);
    assert.deepEqual(modes(run), [
      "routes 700",
      "routes/r1 700",
      "routes/r1/delivered 600",
      "routes/r1/journal-source 600",
      "routes/r1/owner.json 600",
      "routes/r1/seg-0000000000000000 600",
      "routes/r1/source-1 700",
      "routes/r1/source-1/program.json 600",
    ]);
    assert.equal(modeOf(run), 0o700);
    mark.close();
    journal.close();
  });

  it("a journal folder left 0755 is tightened when opened", () => {
    const dir = join(root, "old", "r2");
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    const mark = new DeliveredMark(dir);
    assert.equal(modeOf(dir), 0o700);
    mark.close();
  });
});
