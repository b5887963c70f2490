/**
 * The program record (`program.json`, ADR 0016) as a successor driver reads it: a hostile file.
 * What it says round-trips; a launch that is missing or not a hash leaves the record readable
 * (the program can still be ended) but never adoptable; what is not a record is none.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { ownProcessRef } from "../process-identity.ts";
import {
  asProgramRecord,
  readProgramRecord,
  startedWith,
  writeProgramRecord,
} from "./program-record.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-program-record-"));
after(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => mkdtempSync(join(root, `d${++dirs}-`));
const LAUNCH_A = "a".repeat(64);
const LAUNCH_B = `${"0123456789abcdef".repeat(3)}${"f".repeat(16)}`;
const me = ownProcessRef();

/** `program.json` in a fresh directory with `fields` beside a valid program and owner. */
function recordWith(fields: Record<string, unknown>): string {
  const dir = freshDir();
  const json = { pid: me.pid, startTime: me.startTime, owner: null, ...fields };
  writeFileSync(join(dir, "program.json"), JSON.stringify(json));
  return dir;
}

describe("program record", () => {
  it("round-trips the program, its owner and its launch", () => {
    const dir = freshDir();
    const written = writeProgramRecord(dir, process.pid, { launch: LAUNCH_A });
    assert.deepEqual(written, {
      pid: me.pid,
      startTime: me.startTime,
      owner: me,
      launch: LAUNCH_A,
    });
    assert.deepEqual(readProgramRecord(dir), written);
    assert.equal(startedWith(written, LAUNCH_A), true);
    assert.equal(startedWith(written, LAUNCH_B), false);
  });

  it("a released record keeps its launch and has no owner", () => {
    const dir = freshDir();
    writeProgramRecord(dir, me, { released: true, launch: LAUNCH_B });
    const read = readProgramRecord(dir);
    assert.deepEqual(read, { ...me, owner: null, launch: LAUNCH_B });
    assert.equal(read !== undefined && startedWith(read, LAUNCH_B), true);
  });

  it("refuses to write a launch that is not a hash (it could never be read back)", () => {
    assert.throws(() => writeProgramRecord(freshDir(), me, { launch: "not-a-hash" }), TypeError);
  });

  it("a record without a launch (older than the field) is read but not adoptable", () => {
    const read = readProgramRecord(recordWith({}));
    assert.deepEqual(read, { ...me, owner: null });
    assert.equal(read !== undefined && startedWith(read, LAUNCH_A), false);
  });

  for (const [what, launch] of [
    ["a number", 42],
    ["null", null],
    ["an object", { sha256: LAUNCH_A }],
    ["upper-case hex", LAUNCH_A.toUpperCase()],
    ["a hash cut short", LAUNCH_A.slice(1)],
    ["a hash with a newline", `${LAUNCH_A}\n`],
    ["the empty string", ""],
  ] as const) {
    it(`a launch that is ${what} is dropped: read, not adoptable`, () => {
      const read = readProgramRecord(recordWith({ launch }));
      assert.deepEqual(read, { ...me, owner: null });
      for (const asked of [LAUNCH_A, String(launch)])
        assert.equal(read !== undefined && startedWith(read, asked), false);
    });
  }

  it("a file that is not a record is none, never a crash", () => {
    for (const text of ["", "{", "null", "[]", '{"pid":"1","startTime":"2","owner":null}']) {
      const dir = freshDir();
      writeFileSync(join(dir, "program.json"), text);
      assert.equal(readProgramRecord(dir), undefined, text);
    }
    assert.equal(readProgramRecord(freshDir()), undefined, "no file");
    assert.equal(readProgramRecord(recordWith({ owner: { pid: 1 } })), undefined, "bad owner");
  });

  it("fields it does not know are not carried into the record", () => {
    const read = readProgramRecord(recordWith({ launch: LAUNCH_A, argv: ["sh"], extra: 1 }));
    assert.deepEqual(read, { ...me, owner: null, launch: LAUNCH_A });
  });

  it("the file is replaced whole, mode 0600, no temp file left", () => {
    const dir = freshDir();
    writeProgramRecord(dir, me, { launch: LAUNCH_A });
    writeProgramRecord(dir, me, { launch: LAUNCH_B });
    assert.equal(JSON.parse(readFileSync(join(dir, "program.json"), "utf8")).launch, LAUNCH_B);
    assert.equal(statSync(join(dir, "program.json")).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ["program.json"]);
  });

  it("property: any launch field parses without a throw, adoptable only as the exact hash", () => {
    const hash = fc.stringMatching(/^[0-9a-f]{64}$/);
    const launchField = fc.oneof(hash, fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(launchField, hash, (launch, asked) => {
        const read = asProgramRecord({ pid: me.pid, startTime: me.startTime, owner: null, launch });
        assert.ok(read !== undefined);
        const valid = typeof launch === "string" && /^[0-9a-f]{64}$/.test(launch);
        assert.equal(read.launch, valid ? launch : undefined);
        assert.equal(startedWith(read, asked), valid && launch === asked);
        if (valid) assert.equal(startedWith(read, launch), true);
      }),
      { numRuns: 300 },
    );
  });
});
