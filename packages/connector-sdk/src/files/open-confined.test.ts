/**
 * The confined open of file symbols (ADR 0022) on a real tree: a link swapped in between the
 * check and the open — a folder on the way or the file itself — is refused, not followed, by
 * each way of opening (the addon's openat2 and its walk where the addon is built, and the
 * JavaScript fallback); a link inside the workspace that stays inside still works.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { nativeOPath, nativeOpenBeneath } from "@rtt/fabric";
import { type ConfinedOptions, connectConfined, openConfined } from "./open-confined.ts";

const { O_APPEND, O_CREAT, O_RDONLY, O_WRONLY } = constants;
const SADDR = "rtt://t/file/x@1.0.0#ndjson";
const base = realpathSync(mkdtempSync(join(tmpdir(), "rtt-open-confined-")));
after(() => rmSync(base, { recursive: true, force: true }));

let ws: string;
let outside: string;
let round = 0;
beforeEach(() => {
  round += 1;
  ws = join(base, `ws${round}`);
  outside = join(base, `outside${round}`);
  mkdirSync(join(ws, "d", "e"), { recursive: true });
  mkdirSync(join(ws, "real"));
  mkdirSync(outside);
  writeFileSync(join(ws, "d", "e", "log.ndjson"), "inside\n");
  writeFileSync(join(ws, "real", "r.ndjson"), "real\n");
  writeFileSync(join(outside, "log.ndjson"), "SECRET\n");
  mkdirSync(join(outside, "e"));
  writeFileSync(join(outside, "e", "log.ndjson"), "SECRET\n");
  symlinkSync("real", join(ws, "in"));
});

const hasAddon = typeof nativeOpenBeneath() === "function";
const ways: { name: string; via: ConfinedOptions["via"] | undefined; skip: string | false }[] = [
  { name: "the addon (openat2 where the kernel has it)", via: undefined, skip: false },
  { name: "the addon's per-folder walk", via: "walk", skip: hasAddon ? false : "no native addon" },
  { name: "the JavaScript fallback", via: "js", skip: false },
];

const refusedLink = (e: Error & { code?: string }) =>
  e.code === "RTT_ERR_PATH_OUTSIDE" && /a symbolic link appeared on the way/.test(e.message);

function readAll(fd: number): string {
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

for (const way of ways) {
  const opts = (extra: ConfinedOptions = {}): ConfinedOptions =>
    way.via === undefined ? extra : { ...extra, via: way.via };

  describe(`openConfined by ${way.name}`, { skip: way.skip }, () => {
    it("opens a file inside, and one through a link that stays inside", () => {
      const plain = openConfined(SADDR, join(ws, "d", "e", "log.ndjson"), [ws], O_RDONLY, opts());
      assert.equal(readAll(plain.fd), "inside\n");
      const linked = openConfined(SADDR, join(ws, "in", "r.ndjson"), [ws], O_RDONLY, opts());
      assert.equal(linked.real, join(ws, "real", "r.ndjson"));
      assert.equal(readAll(linked.fd), "real\n");
      if (way.via === "js") assert.equal(linked.how, "checked");
      if (way.via === "walk") assert.equal(linked.how, "walk");
    });

    it("refuses a folder swapped for a link out between the check and the open", () => {
      const swap = () => {
        renameSync(join(ws, "d"), join(ws, "d-old"));
        symlinkSync(outside, join(ws, "d"));
      };
      const path = join(ws, "d", "e", "log.ndjson");
      assert.throws(
        () => openConfined(SADDR, path, [ws], O_RDONLY, opts({ afterCheck: swap })),
        refusedLink,
      );
      // Creating through the swapped folder is refused as well: nothing appears outside.
      rmSync(join(ws, "d"));
      renameSync(join(ws, "d-old"), join(ws, "d"));
      const fresh = join(ws, "d", "e", "new.ndjson");
      const flags = O_WRONLY | O_APPEND | O_CREAT;
      assert.throws(
        () => openConfined(SADDR, fresh, [ws], flags, opts({ afterCheck: swap })),
        refusedLink,
      );
      assert.equal(existsSync(join(outside, "e", "new.ndjson")), false);
    });

    it("refuses the file itself swapped for a link, out or even inside", () => {
      const path = join(ws, "d", "e", "log.ndjson");
      const swapTo = (target: string) => () => {
        rmSync(path);
        symlinkSync(target, path);
      };
      assert.throws(
        () =>
          openConfined(
            SADDR,
            path,
            [ws],
            O_RDONLY,
            opts({ afterCheck: swapTo(join(outside, "log.ndjson")) }),
          ),
        refusedLink,
      );
      rmSync(path);
      writeFileSync(path, "inside\n");
      // Resolved first, opened without following: a link that appears later is refused
      // wherever it points.
      assert.throws(
        () =>
          openConfined(
            SADDR,
            path,
            [ws],
            O_WRONLY | O_APPEND,
            opts({ afterCheck: swapTo(join(ws, "real", "r.ndjson")) }),
          ),
        refusedLink,
      );
      assert.equal(readFileSync(join(ws, "real", "r.ndjson"), "utf8"), "real\n");
    });

    it("refuses a path that leads outside when it is checked", () => {
      symlinkSync(outside, join(ws, "out"));
      assert.throws(
        () => openConfined(SADDR, join(ws, "out", "log.ndjson"), [ws], O_RDONLY, opts()),
        (e: Error & { code?: string }) =>
          e.code === "RTT_ERR_PATH_OUTSIDE" && /leads to .*outside the workspace/.test(e.message),
      );
      const allowed = openConfined(
        SADDR,
        join(ws, "out", "log.ndjson"),
        [ws, outside],
        O_RDONLY,
        opts(),
      );
      assert.equal(readAll(allowed.fd), "SECRET\n");
    });

    it("keeps a missing file's ENOENT for callers that wait for it", () => {
      assert.throws(
        () => openConfined(SADDR, join(ws, "d", "none.ndjson"), [ws], O_RDONLY, opts()),
        { code: "ENOENT" },
      );
    });
  });
}

/** A Unix socket server at `path` that answers every connection with `greeting`. */
async function serve(path: string, greeting: string): Promise<Server> {
  const server = createServer((s) => s.end(greeting));
  server.listen(path);
  await once(server, "listening");
  return server;
}

async function greetingOf(socket: import("node:net").Socket): Promise<string> {
  let text = "";
  for await (const chunk of socket) text += String(chunk);
  return text;
}

const noOPath =
  nativeOPath() === undefined ? "no O_PATH from the native addon (Linux only)" : false;

describe("connectConfined", { skip: noOPath }, () => {
  it("connects to a socket inside, and refuses a folder swapped for a link out", async () => {
    const inside = await serve(join(ws, "d", "s.sock"), "inside");
    const out = await serve(join(outside, "s.sock"), "SECRET");
    try {
      const path = join(ws, "d", "s.sock");
      assert.equal(await greetingOf(await connectConfined(SADDR, path, [ws])), "inside");
      const swap = () => {
        renameSync(join(ws, "d"), join(ws, "d-old"));
        symlinkSync(outside, join(ws, "d"));
      };
      await assert.rejects(connectConfined(SADDR, path, [ws], { afterCheck: swap }), refusedLink);
      // A file where a socket was asked for is not connected to.
      await assert.rejects(connectConfined(SADDR, join(ws, "real", "r.ndjson"), [ws]), {
        code: "RTT_ERR_IO",
      });
    } finally {
      inside.close();
      out.close();
    }
  });
});

describe("under Node's permission model (the node sandbox level)", () => {
  const repo = fileURLToPath(new URL("../../../../", import.meta.url));
  const moduleUrl = new URL("./open-confined.ts", import.meta.url).href;
  /** What openConfined says in a child under --permission that may read `readable`. */
  const inChild = (path: string, readable: readonly string[]) =>
    execFileSync(
      process.execPath,
      [
        "--permission",
        "--allow-addons",
        "--disable-warning=SecurityWarning",
        ...[repo, ...readable].map((p) => `--allow-fs-read=${p}`),
        "--input-type=module",
        "-e",
        `import { openConfined } from ${JSON.stringify(moduleUrl)};
         try {
           const { how } = openConfined(${JSON.stringify(SADDR)}, ${JSON.stringify(path)}, ${JSON.stringify([ws])}, 0);
           console.log("opened by " + how);
         } catch (e) { console.log(e.code + ": " + e.message); }`,
      ],
      { encoding: "utf8" },
    ).trim();

  it("the addon opens nothing the model forbids, and what it allows", () => {
    const path = join(ws, "d", "e", "log.ndjson");
    assert.match(inChild(path, []), /RTT_ERR_PATH_OUTSIDE: .*does not allow fs\.read/);
    assert.match(inChild(path, [ws]), /^opened by (openat2|walk|checked)$/);
  });
});
