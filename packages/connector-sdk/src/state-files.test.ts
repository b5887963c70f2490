import assert from "node:assert/strict";
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openStateFile, readStateFile, refuseLinks } from "./state-files.ts";

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
    closeSync(
      openStateFile(join(dir, "out-link/plan.json"), constants.O_WRONLY | constants.O_CREAT),
    );
    assert.deepEqual(readdirSync(real), ["plan.json"]);
  });

  it("openStateFile under a linked folder creates nothing where it points", () => {
    const ws = join(dir, "create");
    const real = join(dir, "create-real");
    mkdirSync(join(ws, ".rtt"), { recursive: true });
    mkdirSync(real);
    symlinkSync(real, join(ws, ".rtt/audit"));
    assert.throws(
      () =>
        openStateFile(join(ws, ".rtt/audit/ledger.ndjson"), constants.O_WRONLY | constants.O_CREAT),
      refused(/\.rtt\/audit is a symbolic link/),
    );
    assert.deepEqual(readdirSync(real), []);
  });
});
