/**
 * The lane contract, run against every lane kind (like Hono's common router cases): the same
 * behaviour whatever carries the frames. Plus what only some kinds have: loopback-only TCP,
 * socket paths too long for the OS, stale segments reclaimed, the fallback when shm cannot be
 * made here.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { LANE_KINDS } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  type Frame,
  FrameFlag,
  FrameType,
  isLoopback,
  type LaneKind,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
  loadShm,
  MAX_SOCKET_PATH,
  newSocketPath,
} from "../src/index.ts";
import { newSegmentName, reclaimStaleSegments } from "../src/lanes/shm/segment-name.ts";
import { connectTcpWriter } from "../src/lanes/tcp/tcp-lane.ts";

async function pair(
  kind: LaneKind,
  writerListens: boolean,
): Promise<{ writer: LaneWriter; reader: LaneReader }> {
  if (writerListens) {
    const l = await listenWriter(kind);
    const reader = await connectReader(l.address);
    return { writer: await l.accepted, reader };
  }
  const l = await listenReader(kind);
  const writer = await connectWriter(l.address);
  return { writer, reader: await l.accepted };
}

function collect(reader: LaneReader): { frames: Frame[]; ended: Promise<void> } {
  const frames: Frame[] = [];
  reader.on("frame", (f: Frame) =>
    frames.push({ ...f, payload: Uint8Array.prototype.slice.call(f.payload) }),
  );
  const ended = new Promise<void>((resolve, reject) => {
    reader.once("end", resolve);
    reader.once("error", reject);
  });
  return { frames, ended };
}

for (const kind of LANE_KINDS) {
  describe(`lane contract: ${kind}`, () => {
    for (const writerListens of [false, true]) {
      it(`frames arrive in order with seq, type, flags and correlation (${writerListens ? "writer" : "reader"} listens)`, async () => {
        const { writer, reader } = await pair(kind, writerListens);
        const got = collect(reader);
        writer.write(Buffer.from("one"));
        writer.write(Buffer.from(""), { type: FrameType.HEARTBEAT });
        writer.write(Buffer.from("three"), { flags: FrameFlag.MARKED, correlation: 42 });
        assert.equal(writer.seq, 3);
        await writer.end();
        await got.ended;
        assert.deepEqual(
          got.frames.map((f) => [
            f.seq,
            f.type,
            f.flags,
            f.correlation,
            Buffer.from(f.payload).toString(),
          ]),
          [
            [1, FrameType.DATA, 0, 0, "one"],
            [2, FrameType.HEARTBEAT, 0, 0, ""],
            [3, FrameType.DATA, FrameFlag.MARKED, 42, "three"],
          ],
        );
        assert.throws(() => writer.write(Buffer.from("late")), { code: "RTT_ERR_LANE_CLOSED" });
      });
    }

    it("a writer that is destroyed before EOS gives the reader RTT_ERR_LANE_PEER_GONE", async () => {
      const { writer, reader } = await pair(kind, false);
      const error = new Promise<{ code?: string }>((resolve) => reader.once("error", resolve));
      writer.write(Buffer.from("x"));
      setTimeout(() => writer.destroy(), 20);
      assert.equal((await error).code, "RTT_ERR_LANE_PEER_GONE");
    });

    it("write returns false when full and the frames still all arrive after drain (backpressure, not loss)", async () => {
      const { writer, reader } = await pair(kind, false);
      const got = collect(reader);
      const payload = Buffer.alloc(60 * 1024, 7);
      let sawFull = false;
      for (let i = 0; i < 400; i++) {
        if (!writer.write(payload)) {
          sawFull = true;
          await new Promise((resolve) => writer.once("drain", resolve));
        }
      }
      await writer.end();
      await got.ended;
      assert.equal(sawFull, true);
      assert.equal(got.frames.length, 400);
      assert.ok(got.frames.every((f, i) => f.seq === i + 1 && f.payload.length === payload.length));
    });

    it("a paused reader fills the lane: write returns false, and 'drain' comes only after resume", async () => {
      const { writer, reader } = await pair(kind, false);
      const got = collect(reader);
      reader.pause();
      assert.equal(reader.paused, true);
      const payload = Buffer.alloc(64 * 1024, 3);
      // Write until the lane stays full: a 'drain' may still come while kernel buffers take
      // what the writer's own buffer held, but not for ever. 1024 × 64 KiB bounds the search.
      let full = false;
      for (let i = 0; i < 1024 && !full; i++) {
        if (writer.write(payload)) continue;
        full = !(await drainWithin(writer, 200));
      }
      assert.equal(full, true, "the writer never saw a full lane");
      assert.equal(got.frames.length, 0, "a paused reader delivered frames");
      const drained = once(writer, "drain");
      let drainedEarly = false;
      writer.once("drain", () => {
        drainedEarly = reader.paused;
      });
      await sleep(100);
      reader.resume();
      assert.equal(reader.paused, false);
      await drained;
      assert.equal(drainedEarly, false, "'drain' came while the reader was paused");
      const written = writer.seq;
      await writer.end();
      await got.ended;
      assert.equal(got.frames.length, written);
      assert.ok(got.frames.every((f, i) => f.seq === i + 1 && f.payload.length === payload.length));
    });

    it("no frame is lost, duplicated or reordered across many pause/resume cycles", async () => {
      const { writer, reader } = await pair(kind, false);
      const n = 3000;
      const size = (seq: number) => (seq * 2654435761) % 9000;
      const seqs: number[] = [];
      let whilePaused = 0;
      let badPayload = 0;
      let rng = 12345;
      const next = () => {
        rng = (rng * 1103515245 + 12345) & 0x7fffffff;
        return rng;
      };
      reader.on("frame", (f: Frame) => {
        if (reader.paused) whilePaused++;
        seqs.push(f.seq);
        if (
          f.payload.length !== size(f.seq) ||
          (f.payload.length > 0 && f.payload[0] !== (f.seq & 0xff))
        )
          badPayload++;
        const r = next() % 16;
        if (r === 0) {
          // Paused from inside the handler, resumed on a later turn or after a while.
          reader.pause();
          if (next() % 2 === 0) setImmediate(() => reader.resume());
          else setTimeout(() => reader.resume(), next() % 3);
        } else if (r === 1) {
          reader.pause();
          reader.resume(); // a no-op pair: nothing held, nothing lost
        } else if (r === 2) {
          reader.pause();
          reader.pause(); // idempotent
          setTimeout(() => {
            reader.resume();
            reader.resume();
          }, 1);
        }
      });
      const ended = new Promise<void>((resolve, reject) => {
        reader.once("end", resolve);
        reader.once("error", reject);
      });
      // And pauses from outside any handler, while the writer is busy.
      const outside = setInterval(() => {
        reader.pause();
        setTimeout(() => reader.resume(), 2);
      }, 7);
      try {
        for (let seq = 1; seq <= n; seq++) {
          if (!writer.write(Buffer.alloc(size(seq), seq & 0xff))) await once(writer, "drain");
        }
        await writer.end();
        await ended;
      } finally {
        clearInterval(outside);
      }
      assert.equal(whilePaused, 0, "frames delivered while paused");
      assert.equal(badPayload, 0, "frames with the wrong payload");
      assert.equal(seqs.length, n);
      assert.ok(
        seqs.every((s, i) => s === i + 1),
        "frames out of order or duplicated",
      );
    });
  });
}

/** True if `writer` emits 'drain' within `ms`. */
function drainWithin(writer: LaneWriter, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (drained: boolean) => {
      clearTimeout(timer);
      writer.off("drain", onDrain);
      resolve(drained);
    };
    const onDrain = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    writer.once("drain", onDrain);
  });
}

describe("tcp lanes are loopback only", () => {
  it("accepts 127.0.0.0/8, ::1 and localhost; refuses anything else before opening a socket", async () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "0:0:0:0:0:0:0:1"])
      assert.equal(isLoopback(host), true, host);
    for (const host of ["10.0.0.1", "192.168.1.1", "0.0.0.0", "example.com", "::", "8.8.8.8"])
      assert.equal(isLoopback(host), false, host);
    await assert.rejects(listenWriter("tcp", { host: "0.0.0.0" }), {
      code: "RTT_ERR_LANE_ADDRESS",
    });
    await assert.rejects(connectTcpWriter({ kind: "tcp", host: "192.168.1.1", port: 9 }), {
      code: "RTT_ERR_LANE_ADDRESS",
    });
  });
});

describe("unix socket paths", () => {
  const deep = mkdtempSync(join(tmpdir(), "rtt-deep-"));
  after(() => rmSync(deep, { recursive: true, force: true }));

  it("a folder too deep for sun_path still gets a working lane, with nothing left behind", async () => {
    const dir = join(deep, "x".repeat(60), "y".repeat(60));
    mkdirSync(dir, { recursive: true });
    const chosen = newSocketPath(dir);
    assert.ok(Buffer.byteLength(chosen) <= MAX_SOCKET_PATH);
    assert.ok(
      chosen.startsWith("/"),
      `a file, never the abstract namespace: ${JSON.stringify(chosen)}`,
    );
    const l = await listenWriter("uds", { dir });
    assert.ok(Buffer.byteLength((l.address as { path: string }).path) <= MAX_SOCKET_PATH);
    const reader = await connectReader(l.address);
    const writer = await l.accepted;
    const got = collect(reader);
    writer.write(Buffer.from("deep"));
    await writer.end();
    await got.ended;
    assert.equal(Buffer.from(got.frames[0]?.payload ?? []).toString(), "deep");
    assert.deepEqual(readdirSync(dir), []);
  });
});

const shm = loadShm();
describe("shared-memory segments", {
  skip: shm === undefined ? "native addon not built" : false,
}, () => {
  it("a segment left by a killed process is reclaimed when the next lane is made", async () => {
    if (shm === undefined) return;
    // A real process that has exited: its pid is free, its segment is an orphan.
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    });
    const deadPid = Number(child.stdout);
    const orphan = newSegmentName().replace(/^\/rtt-[0-9a-z]+-/, `/rtt-${deadPid.toString(36)}-`);
    shm.create(orphan, 8192).close();
    assert.equal(existsSync(`/dev/shm${orphan}`), true);
    const reclaimed = reclaimStaleSegments(shm);
    assert.ok(reclaimed.includes(orphan), `reclaimed ${JSON.stringify(reclaimed)}`);
    assert.equal(existsSync(`/dev/shm${orphan}`), false);
  });

  it("a live process's segments are never reclaimed", () => {
    if (shm === undefined) return;
    const mine = newSegmentName();
    const segment = shm.create(mine, 8192);
    assert.equal(reclaimStaleSegments(shm).includes(mine), false);
    assert.equal(shm.unlink(mine), true);
    segment.close();
  });

  it("a busy-polling reader (never parks) gets every frame", async () => {
    const l = await listenReader("shm", { busyPoll: true, capacity: 64 * 1024 });
    const writer = await connectWriter(l.address);
    const reader = await l.accepted;
    const got = collect(reader);
    for (let i = 0; i < 2000; i++) {
      if (!writer.write(Buffer.alloc(i % 1000, i & 0xff)))
        await new Promise((r) => writer.once("drain", r));
    }
    await writer.end();
    await got.ended;
    assert.equal(got.frames.length, 2000);
    assert.ok(got.frames.every((f, i) => f.seq === i + 1 && f.payload.length === i % 1000));
  });

  for (const writerListens of [false, true])
    it(`both ends in one process wake each other across parks and a full ring (${writerListens ? "writer" : "reader"} listens)`, async () => {
      // Ends in one process ring by a call (shm-link.ts, LocalBell); the reader parks at once.
      // Paced frames each meet a parked reader; a burst into a small ring parks the writer.
      const small = { capacity: 8 * 1024 };
      let writer: LaneWriter;
      let reader: LaneReader;
      if (writerListens) {
        const l = await listenWriter("shm", small);
        reader = await connectReader(l.address);
        writer = await l.accepted;
      } else {
        const l = await listenReader("shm", small);
        writer = await connectWriter(l.address);
        reader = await l.accepted;
      }
      const got = collect(reader);
      for (let i = 0; i < 50; i++) {
        writer.write(Buffer.from([i]));
        await sleep(1);
      }
      let refused = 0;
      for (let i = 50; i < 550; i++)
        if (!writer.write(Buffer.alloc(1000, i & 0xff))) {
          refused++;
          await new Promise((r) => writer.once("drain", r));
        }
      await writer.end();
      await got.ended;
      assert.ok(refused > 0, "the burst never filled the 8 KiB ring");
      assert.equal(got.frames.length, 550);
      assert.ok(got.frames.every((f, i) => f.seq === i + 1 && (f.payload[0] ?? -1) === (i & 0xff)));
    });

  it("a writer may reuse its payload at once: frames that waited for a full ring arrive as written", async () => {
    // copiesPayload: one buffer, written over after every write. A paused reader fills the
    // small ring; later writes pile up pending (the first in the writer's reused spill, the
    // rest copied) until it resumes.
    const l = await listenReader("shm", { capacity: 8 * 1024 });
    const writer = await connectWriter(l.address);
    const reader = await l.accepted;
    assert.equal(writer.copiesPayload, true);
    const got = collect(reader);
    reader.pause();
    const reused = Buffer.alloc(3000);
    let refused = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) {
        const k = round * 20 + i;
        reused.fill(k & 0xff);
        if (!writer.write(reused.subarray(0, 1000 + k))) refused++;
        reused.fill(0xee);
      }
      reader.resume();
      await new Promise((r) => writer.once("drain", r));
      reader.pause();
    }
    reader.resume();
    await writer.end();
    await got.ended;
    assert.ok(refused > 3, "the ring never filled");
    assert.equal(got.frames.length, 60);
    for (const [k, f] of got.frames.entries()) {
      assert.equal(f.payload.length, 1000 + k, `frame ${k}'s length`);
      assert.ok(
        f.payload.every((b) => b === (k & 0xff)),
        `frame ${k} was written over`,
      );
    }
  });

  it("a reader closed while a poll turn is pending never touches its unmapped ring", async () => {
    const thrown: unknown[] = [];
    const keep = (error: unknown) => thrown.push(error);
    process.on("uncaughtException", keep);
    try {
      for (const busyPoll of [false, true]) {
        const l = await listenReader("shm", { busyPoll });
        const writer = await connectWriter(l.address);
        writer.on("error", () => {}); // the reader is closed under it
        const reader = await l.accepted;
        writer.write(Buffer.from("x"));
        // The reader's first turn is scheduled at its making: close before it runs.
        reader.close();
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        writer.destroy();
      }
    } finally {
      process.off("uncaughtException", keep);
    }
    assert.deepEqual(thrown, []);
  });

  it("after a lane is connected its segment has no name left to leak", async () => {
    const l = await listenReader("shm");
    const name = (l.address as { segment: string }).segment;
    assert.equal(existsSync(`/dev/shm${name}`), true);
    const writer = await connectWriter(l.address);
    const reader = await l.accepted;
    assert.equal(existsSync(`/dev/shm${name}`), false);
    const got = collect(reader);
    await writer.end();
    await got.ended;
  });
});

describe("when the native addon is absent", () => {
  it("shm falls back to uds, says so once, and the lane works", async () => {
    const script = `
      import { listenPreferredReader, connectWriter } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
      const kinds = [];
      for (let i = 0; i < 3; i++) {
        const l = await listenPreferredReader(["shm", "uds", "tcp"]);
        const w = await connectWriter(l.address);
        const r = await l.accepted;
        const got = new Promise((resolve) => r.once("frame", (f) => resolve(Buffer.from(f.payload).toString())));
        w.write(Buffer.from("hello"));
        kinds.push(l.address.kind + ":" + (await got));
        await w.end();
      }
      process.stdout.write(JSON.stringify(kinds));`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, RTT_NO_NATIVE: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), ["uds:hello", "uds:hello", "uds:hello"]);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0] ?? "", /^rtt: shm lane unavailable: .*RTT_NO_NATIVE=1.*; using uds$/);
  });
});
