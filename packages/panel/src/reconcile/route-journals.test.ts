import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isAlive, SHARED_SOURCE_FILE, writeProgramRecord } from "@rtt/connector-sdk";
import { ROUTE_FANOUT_PARAM, ROUTE_JOURNAL_PARAM } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import type { Edge } from "../plan/topology.ts";
import {
  openParams,
  pruneRouteJournals,
  pruneSharedSources,
  routeJournalDir,
  sourceOpenParams,
  stopUnownedPrograms,
} from "./route-journals.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-journals-"));
after(() => rmSync(root, { recursive: true, force: true }));

const edge = (pattern: Edge["pattern"], drop: string | undefined): Edge => ({
  route: "a.b_c-1",
  from: { saddr: "rtt://t/bus/a@1.0.0", driver: "process", contract_hash: "x" },
  to: { saddr: "rtt://t/extension/b@1.0.0", driver: "process", contract_hash: "y" },
  lane: "shm",
  pattern,
  prio: 0,
  params: drop === undefined ? {} : { "qos.drop": drop },
});

/** A program recorded in an end's directory of `route`'s journal, as a driver leaves it. */
function recordedProgram(route: string): number {
  const end = join(routeJournalDir(root, route), "source-1");
  mkdirSync(end, { recursive: true });
  const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
  child.unref();
  writeProgramRecord(end, child.pid as number);
  return child.pid as number;
}

describe("route journals", () => {
  it("only a one-way buffer route's ends get a journal, in a directory of its own", () => {
    assert.deepEqual(openParams(root, edge("oneway", "taildrop")), { "qos.drop": "taildrop" });
    assert.deepEqual(openParams(root, edge("reqrep", "buffer")), { "qos.drop": "buffer" });
    assert.deepEqual(openParams(root, edge("oneway", "buffer")), {
      "qos.drop": "buffer",
      [ROUTE_JOURNAL_PARAM]: join(root, ".rtt", "run", "routes", "a.b_c-1"),
    });
  });

  it("names no folder for what is not a route id: `..` would be .rtt/run itself", () => {
    for (const bad of ["..", ".", "a/b", "../x", "", "A"])
      assert.throws(() => routeJournalDir(root, bad), { code: "RTT_ERR_INTERNAL" }, bad);
  });

  it("only a one-way route's source end may share its program (ADR 0025)", () => {
    const params = { "qos.drop": "taildrop" };
    assert.deepEqual(sourceOpenParams(edge("oneway", "taildrop"), params), {
      ...params,
      [ROUTE_FANOUT_PARAM]: "source",
    });
    assert.deepEqual(sourceOpenParams(edge("oneway", undefined), {}), {
      [ROUTE_FANOUT_PARAM]: "source",
    });
    // Answers pair with their own requests; journaled routes share through a journal tee.
    assert.deepEqual(sourceOpenParams(edge("reqrep", "taildrop"), params), params);
    const journaled = openParams(root, edge("oneway", "buffer"));
    assert.deepEqual(sourceOpenParams(edge("oneway", "buffer"), journaled), {
      ...journaled,
      [ROUTE_FANOUT_PARAM]: "source",
    });
  });

  it("a panel start forgets the journals of routes no longer committed, and ends their programs", async () => {
    const kept = recordedProgram("kept");
    const gone = recordedProgram("a.b_c-1");
    const stray = join(root, ".rtt", "run", "routes", "Not A Route");
    mkdirSync(stray);
    assert.deepEqual(pruneRouteJournals(root, new Set(["kept"])), ["a.b_c-1"]);
    assert.equal(existsSync(routeJournalDir(root, "a.b_c-1")), false);
    assert.equal(existsSync(stray), true, "a folder that is no route's is left alone");
    assert.equal(existsSync(routeJournalDir(root, "kept")), true);
    await eventually(() => !isAlive(gone), { what: "the deleted route's program to be ended" });
    assert.equal(isAlive(kept), true, "a kept route's program runs on");
    process.kill(-kept, "SIGKILL");
  });

  it("a panel stop ends the shared source programs no driver runs, as the routes' (ADR 0025)", async () => {
    const ws = mkdtempSync(join(tmpdir(), "rtt-journals-sources-"));
    const dir = join(ws, ".rtt", "run", "sources", "0123456789abcdef");
    mkdirSync(dir, { recursive: true });
    const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
    child.unref();
    const pid = child.pid as number;
    try {
      writeProgramRecord(dir, pid, { released: true });
      assert.deepEqual(stopUnownedPrograms(ws), [pid]);
      await eventually(() => !isAlive(pid), { what: "the unowned shared program to be ended" });
    } finally {
      if (isAlive(pid)) process.kill(-pid, "SIGKILL");
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it("a panel start forgets the shared source folders no committed route names, ending their programs", async () => {
    const ws = mkdtempSync(join(tmpdir(), "rtt-journals-prune-"));
    const sources = join(ws, ".rtt", "run", "sources");
    const program = (folder: string): number => {
      const dir = join(sources, folder);
      mkdirSync(dir, { recursive: true });
      const child = spawn("sleep", ["60"], { detached: true, stdio: "ignore" });
      child.unref();
      writeProgramRecord(dir, child.pid as number);
      return child.pid as number;
    };
    const names = (route: string, folder: string) => {
      mkdirSync(routeJournalDir(ws, route), { recursive: true });
      writeFileSync(join(routeJournalDir(ws, route), SHARED_SOURCE_FILE), folder);
    };
    const kept = program("00000000000000aa");
    const gone = program("00000000000000bb");
    const stray = join(sources, "not-a-source");
    mkdirSync(stray);
    try {
      names("kept", "00000000000000aa");
      names("deleted", "00000000000000bb");
      assert.deepEqual(pruneSharedSources(ws, new Set(["kept", "other"])), ["00000000000000bb"]);
      assert.equal(existsSync(join(sources, "00000000000000bb")), false);
      assert.equal(existsSync(join(sources, "00000000000000aa")), true);
      assert.equal(existsSync(stray), true, "a folder that is no source's is left alone");
      await eventually(() => !isAlive(gone), { what: "the unnamed source's program to be ended" });
      assert.equal(isAlive(kept), true, "a named source's program runs on");
    } finally {
      for (const pid of [kept, gone]) if (isAlive(pid)) process.kill(-pid, "SIGKILL");
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it("a linked .rtt/run: no journal is handed to a driver, no program there is ended", () => {
    const ws = mkdtempSync(join(tmpdir(), "rtt-journals-linked-"));
    const elsewhere = mkdtempSync(join(tmpdir(), "rtt-journals-elsewhere-"));
    try {
      mkdirSync(join(ws, ".rtt"));
      mkdirSync(join(elsewhere, "routes/gone"), { recursive: true });
      symlinkSync(elsewhere, join(ws, ".rtt/run"));
      const linked = (e: Error & { code?: string }) =>
        e.code === "RTT_ERR_STATE_LINK" && /\.rtt\/run is a symbolic link/.test(e.message);
      assert.throws(() => openParams(ws, edge("oneway", "buffer")), linked);
      assert.throws(() => pruneRouteJournals(ws, new Set()), linked);
      assert.deepEqual(pruneSharedSources(ws, new Set()), []);
      assert.deepEqual(stopUnownedPrograms(ws), []);
      assert.equal(existsSync(join(elsewhere, "routes/gone")), true, "nothing removed there");
    } finally {
      rmSync(ws, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
