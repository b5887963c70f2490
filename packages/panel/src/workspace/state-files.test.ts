import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeFileAtomic } from "./atomic-write.ts";
import { readStateFile, refuseLinks } from "./state-files.ts";

const dir = mkdtempSync(join(tmpdir(), "rtt-state-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const refused = (what: RegExp) => (e: Error & { code?: string }) =>
  e.code === "RTT_ERR_STATE_LINK" && what.test(e.message);

describe("refuseLinks", () => {
  it("passes real folders and what does not exist yet", () => {
    const ws = join(dir, "plain");
    mkdirSync(join(ws, ".rtt/cache"), { recursive: true });
    refuseLinks(join(ws, ".rtt/cache/catalog.json"));
    refuseLinks(join(ws, ".rtt/not/yet/there.json"));
  });

  it("refuses .rtt itself, a folder under it, or the file, naming the link from .rtt on", () => {
    const ws = join(dir, "linked");
    const real = join(dir, "real");
    mkdirSync(join(real, "cache"), { recursive: true });
    mkdirSync(ws);
    symlinkSync(real, join(ws, ".rtt"));
    assert.throws(() => refuseLinks(join(ws, ".rtt/cache/x")), refused(/^\.rtt is a symbolic/));
    rmSync(join(ws, ".rtt"));
    mkdirSync(join(ws, ".rtt"));
    symlinkSync(join(real, "cache"), join(ws, ".rtt/cache"));
    assert.throws(() => refuseLinks(join(ws, ".rtt/cache/x")), refused(/^\.rtt\/cache is/));
    symlinkSync(join(real, "nowhere"), join(ws, ".rtt/panel.log"));
    assert.throws(() => refuseLinks(join(ws, ".rtt/panel.log")), refused(/^\.rtt\/panel\.log/));
    assert.throws(() => readStateFile(join(ws, ".rtt/panel.log")), refused(/panel\.log/));
  });

  it("leaves paths outside .rtt alone: a file the user names may be reached through a link", () => {
    const real = join(dir, "out-real");
    mkdirSync(real);
    symlinkSync(real, join(dir, "out-link"));
    writeFileAtomic(join(dir, "out-link/plan.json"), "{}\n");
    assert.equal(readFileSync(join(real, "plan.json"), "utf8"), "{}\n");
  });

  it("writeFileAtomic under a linked .rtt folder writes nothing, not even a temp file", () => {
    const ws = join(dir, "atomic");
    const real = join(dir, "atomic-real");
    mkdirSync(join(ws, ".rtt"), { recursive: true });
    mkdirSync(real);
    writeFileSync(join(real, "keep"), "");
    symlinkSync(real, join(ws, ".rtt/cache"));
    assert.throws(
      () => writeFileAtomic(join(ws, ".rtt/cache/catalog.json"), "{}"),
      refused(/\.rtt\/cache/),
    );
    assert.deepEqual(readdirSync(real), ["keep"]);
  });
});
