import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import fc from "fast-check";
import {
  checkShmName,
  listShmSegments,
  loadShm,
  SHM_NAME_MAX_BYTES,
  type ShmApi,
  shmErrno,
  shmUnavailableReason,
} from "./native.ts";

const NATIVE_URL = new URL("./native.ts", import.meta.url).href;

// Every segment this file makes starts with this, so the last test can prove none is left.
const PREFIX = `/rtt-t${process.pid.toString(36)}-`;
let serial = 0;
const freshName = (): string => `${PREFIX}${(serial++).toString(36)}`;

// The addon must be there wherever the project is installed normally (npm ci builds it); a
// test run that deliberately disables it skips instead of failing.
const loaded = loadShm();
const skip =
  loaded === undefined && process.env.RTT_NO_NATIVE === "1"
    ? (shmUnavailableReason() ?? true)
    : false;

function api(): ShmApi {
  if (loaded === undefined) {
    assert.fail(`the native shm addon is unavailable: ${shmUnavailableReason()}`);
  }
  return loaded;
}

function assertShmError(fn: () => unknown, errno: string, name: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RttError, `expected an RttError, got ${String(error)}`);
    assert.equal(error.code, "RTT_ERR_SHM");
    assert.match(error.message, new RegExp(errno));
    assert.ok(error.message.includes(name), `message names the segment: ${error.message}`);
    assert.equal(shmErrno(error), errno);
    return true;
  });
}

/** Runs an ES module script in a second OS process; resolves with its stdout. */
function runChild(script: string, nodeOptions: string[] = []): { exited: Promise<string> } {
  const child = spawn(process.execPath, [...nodeOptions, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<string>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
  return { exited };
}

describe("native shm addon", { skip }, () => {
  test("a second process reads what the first wrote, and answers", async () => {
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 4096);
    try {
      assert.equal(seg.size, 4096);
      assert.equal(seg.buffer.byteLength, 4096);
      const bytes = new Uint8Array(seg.buffer);
      assert.ok(
        bytes.every((b) => b === 0),
        "a new segment is zero-filled",
      );
      const message = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 250, 251, 252, 253, 254, 255, 0, 7];
      bytes.set(message, 0);

      const out = await runChild(`
        import { loadShm } from ${JSON.stringify(NATIVE_URL)};
        const seg = loadShm().open(${JSON.stringify(name)});
        const bytes = new Uint8Array(seg.buffer);
        process.stdout.write(JSON.stringify({ size: seg.size, read: [...bytes.subarray(0, 16)] }));
        for (let i = 0; i < 16; i++) bytes[100 + i] = bytes[15 - i] ^ 0x5a;
        seg.close();
      `).exited;

      const report = JSON.parse(out) as { size: number; read: number[] };
      assert.equal(report.size, 4096);
      assert.deepEqual(report.read, message);
      const answer = [...bytes.subarray(100, 116)];
      assert.deepEqual(
        answer,
        message.map((_, i) => (message[15 - i] ?? 0) ^ 0x5a),
      );
    } finally {
      shm.unlink(name);
      seg.close();
    }
  });

  test("Atomics.store / Atomics.load hand a counter back and forth between two processes", async () => {
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 4096);
    const rounds = 300;
    try {
      // [0] turn counter (even: parent's move, odd: child's), [16] payload written before each
      // move (a plain store, published by the Atomics.store of the counter), on its own line.
      const words = new Int32Array(seg.buffer);
      const child = runChild(`
        import { loadShm } from ${JSON.stringify(NATIVE_URL)};
        const seg = loadShm().open(${JSON.stringify(name)});
        const words = new Int32Array(seg.buffer);
        const deadline = Date.now() + 60_000;
        for (let i = 0; i < ${rounds}; i++) {
          let turn;
          while ((turn = Atomics.load(words, 0)) % 2 === 0) {
            if (Date.now() > deadline) throw new Error("child timed out at round " + i);
          }
          if (words[16] !== turn * 3) throw new Error("payload " + words[16] + " at turn " + turn);
          words[16] = (turn + 1) * 3;
          Atomics.store(words, 0, turn + 1);
        }
        seg.close();
      `);
      const deadline = Date.now() + 60_000;
      for (let i = 0; i < rounds; i++) {
        let turn = Atomics.load(words, 0);
        while (turn % 2 === 1) {
          if (Date.now() > deadline) assert.fail(`parent timed out at round ${i}`);
          turn = Atomics.load(words, 0);
        }
        assert.equal(words[16], turn * 3);
        words[16] = (turn + 1) * 3;
        Atomics.store(words, 0, turn + 1);
      }
      await child.exited;
      assert.equal(Atomics.load(words, 0), 2 * rounds);
      assert.equal(words[16], 2 * rounds * 3);
    } finally {
      shm.unlink(name);
      seg.close();
    }
  });

  test("create refuses a name that exists: EEXIST", () => {
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 64);
    try {
      assertShmError(() => shm.create(name, 64), "EEXIST", name);
      // The first segment is untouched by the failed create.
      new Uint8Array(seg.buffer)[63] = 9;
      const again = shm.open(name);
      assert.equal(new Uint8Array(again.buffer)[63], 9);
      again.close();
    } finally {
      shm.unlink(name);
      seg.close();
    }
  });

  test("open of a missing name: ENOENT", () => {
    const name = freshName();
    assertShmError(() => api().open(name), "ENOENT", name);
  });

  test("unlink returns true, then false; the mapping outlives the name", () => {
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 128);
    assert.equal(shm.unlink(name), true);
    assert.equal(shm.unlink(name), false);
    assertShmError(() => shm.open(name), "ENOENT", name);
    new Uint8Array(seg.buffer)[127] = 1;
    assert.equal(new Uint8Array(seg.buffer)[127], 1);
    seg.close();
  });

  test("close() detaches the buffer, is idempotent, and unmaps", () => {
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 8192);
    const view = new Uint8Array(seg.buffer);
    view[0] = 1;
    shm.unlink(name);
    seg.close();
    assert.equal(seg.buffer.byteLength, 0);
    assert.equal(seg.buffer.detached, true);
    assert.equal(view.length, 0);
    assert.equal(view[0], undefined);
    seg.close();
    if (process.platform === "linux") {
      const maps = readFileSync("/proc/self/maps", "utf8");
      assert.ok(!maps.includes(`/dev/shm${name} `), "the mapping is gone from /proc/self/maps");
    }
  });

  test("a segment dropped without close() is unmapped when it is garbage-collected", async () => {
    if (process.platform !== "linux") return;
    const prefix = `${PREFIX}gc`;
    const out = await runChild(
      `
      import { readFileSync } from "node:fs";
      import { loadShm } from ${JSON.stringify(NATIVE_URL)};
      const shm = loadShm();
      const mapped = () =>
        readFileSync("/proc/self/maps", "utf8").split("\\n").filter((l) => l.includes(${JSON.stringify(`/dev/shm${prefix}`)})).length;
      for (let i = 0; i < 50; i++) {
        const name = ${JSON.stringify(prefix)} + i;
        shm.create(name, 65536);
        shm.unlink(name);
      }
      const before = mapped();
      // A closed segment whose address is reused must not be unmapped again by its finalizer.
      const closed = shm.create(${JSON.stringify(`${prefix}c`)}, 65536);
      shm.unlink(${JSON.stringify(`${prefix}c`)});
      closed.close();
      const kept = shm.create(${JSON.stringify(`${prefix}k`)}, 65536);
      shm.unlink(${JSON.stringify(`${prefix}k`)});
      for (let i = 0; i < 6; i++) {
        globalThis.gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      new Uint8Array(kept.buffer)[65535] = 1;
      process.stdout.write(JSON.stringify({ before, after: mapped() }));
      kept.close();
    `,
      ["--expose-gc"],
    ).exited;
    const counts = JSON.parse(out) as { before: number; after: number };
    assert.equal(counts.before, 50);
    assert.equal(counts.after, 1, "only the segment still referenced stays mapped");
  });

  test("bad names and sizes are refused with RTT_ERR_SHM before any system call", () => {
    const shm = api();
    const tooLong = `/rtt-${"x".repeat(SHM_NAME_MAX_BYTES - 4)}`;
    assert.equal(Buffer.byteLength(tooLong), SHM_NAME_MAX_BYTES + 1);
    for (const bad of ["rtt-x", "/rtt-", "/rtt-a/b", "/other-x", "/rtt-é", "/rtt- x", tooLong]) {
      assert.throws(
        () => shm.create(bad, 64),
        (error: unknown) => error instanceof RttError && error.code === "RTT_ERR_SHM",
        bad,
      );
      assert.throws(() => shm.open(bad), RttError);
      assert.throws(() => shm.unlink(bad), RttError);
    }
    const name = freshName();
    for (const size of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assertShmError(() => shm.create(name, size), "EINVAL", name);
    }
    assert.deepEqual(listShmSegments(name), []);
  });

  test("the name rule: /rtt- + [A-Za-z0-9._-], at most 31 bytes", () => {
    const ok = fc
      .string({ unit: fc.constantFrom(..."abcXYZ0189._-"), minLength: 1, maxLength: 26 })
      .map((rest) => `/rtt-${rest}`);
    fc.assert(
      fc.property(ok, (name) => {
        checkShmName("create", name);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (name) => {
        const valid =
          /^\/rtt-[A-Za-z0-9._-]+$/.test(name) && Buffer.byteLength(name) <= SHM_NAME_MAX_BYTES;
        if (valid) checkShmName("open", name);
        else {
          assert.throws(
            () => checkShmName("open", name),
            (error: unknown) => error instanceof RttError && error.code === "RTT_ERR_SHM",
          );
        }
      }),
    );
  });

  test("this file left nothing in /dev/shm", () => {
    assert.deepEqual(listShmSegments(PREFIX), []);
    if (process.platform === "linux") {
      assert.deepEqual(
        listShmSegments("/").filter((entry) => `/${entry}`.startsWith(PREFIX)),
        [],
      );
    }
  });
});

describe("listShmSegments", () => {
  test("lists /dev/shm entries by prefix on Linux, without the leading slash", {
    skip,
  }, () => {
    if (process.platform !== "linux") {
      assert.deepEqual(listShmSegments("rtt-"), []);
      return;
    }
    const shm = api();
    const name = freshName();
    const seg = shm.create(name, 64);
    try {
      assert.deepEqual(listShmSegments(name), [name.slice(1)]);
      assert.deepEqual(listShmSegments(name.slice(1)), [name.slice(1)]);
    } finally {
      shm.unlink(name);
      seg.close();
    }
    assert.deepEqual(listShmSegments(name), []);
  });
});

describe("loader", () => {
  test("RTT_NO_NATIVE=1 disables the addon and says so", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { loadShm, shmUnavailableReason } from ${JSON.stringify(NATIVE_URL)};
         const first = loadShm();
         process.stdout.write(JSON.stringify({
           api: first === undefined ? null : "loaded",
           again: loadShm() === first,
           reason: shmUnavailableReason() ?? null,
         }));`,
      ],
      { env: { ...process.env, RTT_NO_NATIVE: "1" }, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { api: null; again: boolean; reason: string };
    assert.equal(report.api, null);
    assert.equal(report.again, true);
    assert.match(report.reason, /RTT_NO_NATIVE/);
  });

  test("loads at most once: the same API object every time", { skip }, () => {
    assert.equal(loadShm(), loaded);
    assert.equal(shmUnavailableReason(), undefined);
  });
});
