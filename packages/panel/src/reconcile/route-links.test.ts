/**
 * A link is never opened with params that would tell a driver what to run (ADR 0012), nor on a
 * path that leads out of the workspace and `allow_paths` (ADR 0022); closing one allows for its
 * program's drain (ADR 0024).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { symbol } from "./reconciler-fixtures.ts";
import { RouteLinks, type RouteLinksOptions } from "./route-links.ts";

describe("RouteLinks.open", () => {
  it("refuses launch params before any driver is asked", async () => {
    const asked: string[] = [];
    const pool = {
      get: async (driver: string) => {
        asked.push(driver);
        throw new Error("no driver should be reached");
      },
    };
    const links = new RouteLinks({ pool, root: "/ws" } as unknown as RouteLinksOptions);
    const logger = symbol("rtt://obs/proc/logger@1.0.0", { "x-run": ["node", "logger.mjs"] });
    const end = { saddr: logger.saddr, driver: "process", contract_hash: logger.contract_hash };
    for (const key of ["command", "cwd", "path", "url", "listen"]) {
      await assert.rejects(
        links.open(undefined, "events-to-log", end, { [key]: "sh -c id" }, logger),
        (e: unknown) =>
          e instanceof RttError &&
          e.code === "RTT_ERR_PLAN_INVALID" &&
          e.message.includes(key) &&
          e.message.includes("only the catalog says that"),
      );
    }
    assert.deepEqual(asked, []);
  });

  it("refuses a path outside the workspace before any driver is asked; allow_paths admits it", async () => {
    const asked: string[] = [];
    const pool = {
      get: async (driver: string) => {
        asked.push(driver);
        return { open: async () => "link-1" };
      },
    };
    const wal = { recordResource: () => {} };
    let allowed: string[] = [];
    const links = new RouteLinks({
      pool,
      wal,
      root: "/ws",
      allowPaths: () => allowed,
    } as unknown as RouteLinksOptions);
    const passwd = symbol("rtt://t/file/passwd@1.0.0", { "x-path": "/etc/passwd" });
    const end = { saddr: passwd.saddr, driver: "file", contract_hash: passwd.contract_hash };
    await assert.rejects(
      links.open(undefined, "steal", end, {}, passwd),
      (e: unknown) =>
        e instanceof RttError &&
        e.code === "RTT_ERR_PATH_OUTSIDE" &&
        e.message.includes('path "/etc/passwd" leads to /etc/passwd, outside the workspace /ws'),
    );
    assert.deepEqual(asked, []);
    allowed = ["/etc"];
    // An end planned without its launch recorded: its link carries the default drain.
    assert.deepEqual(await links.open(undefined, "steal", end, {}, passwd), {
      driver: "file",
      link: "link-1",
      drain_ms: 5000,
    });
    assert.deepEqual(asked, ["file"]);
  });
});

describe("RouteLinks.close", () => {
  it("gives each Close its link's drain and the slack; the link leaves the ledger once closed", async () => {
    const asked: [string, number | undefined][] = [];
    const driver = {
      closeLink: async (link: string, _detach?: boolean, drainMs?: number) => {
        asked.push([link, drainMs]);
        return { closed: true };
      },
    };
    const released: string[] = [];
    const links = new RouteLinks({
      pool: { running: () => driver },
      wal: { released: (_kind: string, name: string) => released.push(name) },
      root: "/ws",
    } as unknown as RouteLinksOptions);
    await links.close([
      { driver: "process", link: "sort", drain_ms: 12_000 },
      { driver: "process", link: "src", drain_ms: 0 },
      { driver: "process", link: "stray" },
    ]);
    assert.deepEqual(asked, [
      ["sort", 17_000],
      ["src", 5000],
      ["stray", 10_000],
    ]);
    assert.deepEqual(released, ["process/sort", "process/src", "process/stray"]);
  });
});
