import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isAlive } from "@rtt/connector-sdk";
import { eventually, settled } from "@rtt/core/testing";
import { ProcessEndpoint } from "./process-endpoint.ts";
import type { StdoutMessage } from "./stdout-reader.ts";

// A real child: upper-cases each stdin line onto stdout; "crash" exits 3.
const ECHO = [
  "-e",
  `process.stdin.setEncoding("utf8"); let b = "";
   process.stdin.on("data", (d) => { b += d; let i;
     while ((i = b.indexOf("\\n")) >= 0) { const l = b.slice(0, i); b = b.slice(i + 1);
       if (l === "crash") process.exit(3); process.stdout.write(l.toUpperCase() + "\\n"); } });`,
];

/** Exited: no process, or a zombie (isAlive takes a zombie for gone). */
const isReaped = (pid: number): boolean => !isAlive(pid);

async function take(it: AsyncIterator<StdoutMessage>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(Buffer.from(r.value.payload).toString());
  }
  return out;
}

describe("process endpoint", () => {
  it("tx → stdin, stdout → messages, in order; close reaps the process", async () => {
    const p = new ProcessEndpoint({ command: process.execPath, args: ECHO, framing: "lines" });
    p.start();
    const pid = p.health().pid ?? -1;
    const it = p.messages()[Symbol.asyncIterator]();
    for (const w of ["alpha", "beta", "gamma"]) await p.tx(Buffer.from(w));
    assert.deepEqual(await take(it, 3), ["ALPHA", "BETA", "GAMMA"]);
    assert.equal(p.health().ok, true);
    // It ends on EOF: the close drains it, no signal needed, and it took all three.
    const report = await p.close();
    assert.deepEqual(report, {
      ended: "exited",
      code: 0,
      signal: null,
      frames: 3,
      unaccounted: 0,
      drainMs: 5000,
    });
    assert.equal(p.health().pid, undefined);
    assert.equal(isReaped(pid), true);
    assert.equal(p.errors, 0, "ended by its own close: no error");
  });

  it("counts a non-zero exit and each write its stdin refused (EPIPE) as errors", async () => {
    const crashing = new ProcessEndpoint({
      command: process.execPath,
      args: ECHO,
      framing: "lines",
      respawn: "never",
    });
    crashing.start();
    const exited = new Promise((resolve) => crashing.once("exit", resolve));
    await crashing.tx(Buffer.from("crash"));
    await exited;
    assert.equal(crashing.errors, 1);
    await crashing.close();
    assert.equal(crashing.errors, 1);

    const deaf = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "exec 0<&-; sleep 5"],
      framing: "lines",
      killGraceMs: 200,
    });
    deaf.start();
    // Writes go through until its stdin is closed; then the pipe refuses them.
    const refused = await eventually(
      () =>
        deaf.tx(Buffer.from("x")).then(
          () => false,
          (error: unknown) => error,
        ),
      { what: "a write its closed stdin refuses" },
    );
    assert.equal((refused as { code?: string }).code, "RTT_ERR_LANE_PEER_GONE");
    assert.ok(deaf.errors >= 1, `${deaf.errors} errors`);
    await deaf.close();
  });

  it("close gives a consumer that writes only at EOF the time to finish (sort)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-drain-"));
    try {
      const out = join(dir, "out");
      const p = new ProcessEndpoint({
        command: "sh",
        args: ["-c", `sort -n > "${out}"`],
        framing: "lines",
      });
      p.start();
      const n = 2000;
      for (let i = n; i >= 1; i--) await p.tx(Buffer.from(String(i)));
      const report = await p.close();
      assert.equal(report?.ended, "exited");
      assert.equal(report?.code, 0);
      assert.equal(report?.frames, n);
      const lines = readFileSync(out, "utf8").trim().split("\n").map(Number);
      assert.deepEqual(
        lines,
        Array.from({ length: n }, (_, i) => i + 1),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("in a state directory too (FIFOs the waiter holds open), close gets sort its EOF", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-drain-dir-"));
    try {
      const out = join(dir, "out");
      const p = new ProcessEndpoint({
        command: "sh",
        args: ["-c", `sort -n > "${out}"`],
        framing: "lines",
        stateDir: join(dir, "state"),
      });
      p.start();
      const n = 2000;
      for (let i = n; i >= 1; i--) await p.tx(Buffer.from(String(i)));
      const report = await p.close();
      assert.deepEqual(report, {
        ended: "exited",
        code: 0,
        signal: null,
        frames: n,
        unaccounted: 0,
        drainMs: 5000,
      });
      const lines = readFileSync(out, "utf8").trim().split("\n").map(Number);
      assert.deepEqual(
        lines,
        Array.from({ length: n }, (_, i) => i + 1),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("close terminates a program that runs on after EOF once x-drain-ms is out; the report says so", async () => {
    const p = new ProcessEndpoint({
      command: process.execPath,
      args: ["-e", "process.stdin.resume(); setInterval(() => {}, 1000)"],
      framing: "lines",
      drainMs: 100,
    });
    p.start();
    await p.tx(Buffer.from("one"));
    const report = await p.close();
    assert.equal(report?.ended, "terminated");
    assert.equal(report?.signal, "SIGTERM");
    assert.equal(report?.frames, 1);
  });

  it("what a program took before it died non-zero is unaccounted for; a clean exit is not", async () => {
    const p = new ProcessEndpoint({
      command: process.execPath,
      args: ECHO,
      framing: "lines",
      respawn: "on-failure",
      backoff: { baseMs: 20, maxMs: 100 },
      random: () => 1,
    });
    p.start();
    const restarted = new Promise<number>((resolve) => p.once("restart", resolve));
    for (const w of ["a", "b", "crash"]) await p.tx(Buffer.from(w));
    await restarted;
    assert.equal(p.unaccounted, 3, "it took three and exited 3: none acknowledged");
    await p.tx(Buffer.from("c"));
    const report = await p.close();
    assert.deepEqual(
      [report?.ended, report?.code, report?.frames, report?.unaccounted],
      ["exited", 0, 4, 3],
      "the next program's drain acknowledged its one; the dead one's three stay unaccounted",
    );
  });

  it("a crash shows in health and is respawned with backoff under on-failure", async () => {
    const p = new ProcessEndpoint({
      command: process.execPath,
      args: ECHO,
      framing: "lines",
      respawn: "on-failure",
      backoff: { baseMs: 20, maxMs: 100 },
      random: () => 1,
    });
    p.start();
    const firstPid = p.health().pid ?? -1;
    const restarted = new Promise<number>((resolve) => p.once("restart", resolve));
    await p.tx(Buffer.from("crash"));
    assert.equal(await restarted, 1);
    assert.deepEqual(p.health().lastExit, { code: 3, signal: null });
    assert.equal(p.health().err, "exited with code 3");
    assert.notEqual(p.health().pid, firstPid);
    const it = p.messages()[Symbol.asyncIterator]();
    await p.tx(Buffer.from("again"));
    assert.deepEqual(await take(it, 1), ["AGAIN"]);
    await p.close();
    assert.equal(isReaped(firstPid), true);
  });

  it("a message sent while a crashed program waits for its respawn goes to the next program", async () => {
    const p = new ProcessEndpoint({
      command: process.execPath,
      args: ECHO,
      framing: "lines",
      respawn: "on-failure",
      backoff: { baseMs: 200, maxMs: 200 },
      random: () => 1,
    });
    p.start();
    const it = p.messages()[Symbol.asyncIterator]();
    await p.tx(Buffer.from("before"));
    assert.deepEqual(await take(it, 1), ["BEFORE"]);
    const exited = new Promise((resolve) => p.once("exit", resolve));
    process.kill(p.health().pid ?? -1, "SIGKILL");
    await exited;
    assert.equal(p.health().ok, false, "down until the respawn, 200 ms on");
    // Sent while no program runs: taken by the next one, in order.
    await Promise.all([p.tx(Buffer.from("during")), p.tx(Buffer.from("after"))]);
    assert.equal(p.health().restarts, 1);
    assert.deepEqual(await take(it, 2), ["DURING", "AFTER"]);
    // Closing refuses a message that waits for a respawn that will not come.
    const again = new Promise((resolve) => p.once("exit", resolve));
    process.kill(p.health().pid ?? -1, "SIGKILL");
    await again;
    const refused = p.tx(Buffer.from("lost"));
    await p.close();
    await assert.rejects(refused, { code: "RTT_ERR_LANE_PEER_GONE" });
  });

  it("a message its program dies on goes to the next program once, then is refused; the route goes on", async () => {
    // Each program takes 1,000 bytes and exits 1: a 200 KB message kills every program it meets.
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "head -c 1000 >/dev/null; exit 1"],
      framing: "raw",
      respawn: "on-failure",
      backoff: { baseMs: 20, maxMs: 20 },
      random: () => 1,
    });
    p.start();
    await assert.rejects(p.tx(new Uint8Array(200_000)), {
      code: "RTT_ERR_LANE_PEER_GONE",
      hint: /two programs/,
    });
    assert.ok(p.health().restarts <= 2, `${p.health().restarts} restarts for one message`);
    await p.tx(Buffer.from("small")); // the next program takes the next message
    await p.close();
  });

  it("a program that closed its stdin and runs on refuses messages instead of holding them", async () => {
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "exec 0<&-; sleep 5"],
      framing: "lines",
      drainMs: 200, // it runs on after EOF: retired by SIGTERM
      killGraceMs: 200,
    });
    p.start();
    await new Promise((r) => setTimeout(r, 100)); // its stdin closed
    await assert.rejects(p.tx(Buffer.from("x")), { code: "RTT_ERR_LANE_PEER_GONE" });
    await assert.rejects(p.tx(Buffer.from("y")), { code: "RTT_ERR_LANE_PEER_GONE" });
    await p.close();
  });

  it("close ends the whole process group, grandchildren included", async () => {
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "sleep 30 & echo $!; wait"],
      framing: "lines",
      drainMs: 200, // its group runs on after EOF: retired by SIGTERM
    });
    p.start();
    const [grandchild] = await take(p.messages()[Symbol.asyncIterator](), 1);
    const gpid = Number(grandchild);
    assert.ok(gpid > 0 && existsSync(`/proc/${gpid}`));
    await p.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(isReaped(gpid), true);
  });

  it("a program killed alone takes what it started with it (no orphan runs on)", async () => {
    const p = new ProcessEndpoint({
      command: "sh",
      args: ["-c", "sleep 30 & echo $!; wait"],
      framing: "lines",
      killGraceMs: 200,
    });
    p.start();
    const [grandchild] = await take(p.messages()[Symbol.asyncIterator](), 1);
    const gpid = Number(grandchild);
    assert.ok(gpid > 0 && existsSync(`/proc/${gpid}`));
    const exited = new Promise((resolve) => p.once("exit", resolve));
    process.kill(p.health().pid ?? -1, "SIGKILL"); // the program only, as `kill -9 <pid>` does
    await exited;
    await eventually(() => isReaped(gpid), { what: "its background child to be reaped" });
    await p.close();
  });

  it("a command that cannot start is reported in health, not thrown", async () => {
    const p = new ProcessEndpoint({ command: "/nonexistent/rtt-cmd", framing: "raw" });
    const exited = new Promise((resolve) => p.once("exit", resolve));
    p.start();
    await exited;
    assert.equal(p.health().ok, false);
    assert.match(p.health().err ?? "", /cannot start \/nonexistent\/rtt-cmd/);
    await assert.rejects(p.tx(Buffer.from("x")), { code: "RTT_ERR_LANE_PEER_GONE" });
  });

  it("a program writing faster than messages() is read blocks on its stdout; nothing is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtt-proc-bp-"));
    const progress = join(dir, "progress");
    // Writes `n` numbered lines as fast as its stdout takes them (waiting for 'drain'), and
    // records how many the pipe took.
    const n = 200_000;
    const fast = [
      "-e",
      `const fs = require("node:fs"); let i = 0;
       const record = () => fs.writeFileSync(${JSON.stringify(progress)}, String(i));
       (function go() {
         while (i < ${n}) { if (!process.stdout.write(i++ + "\\n")) { record(); return process.stdout.once("drain", go); } }
         record();
       })();`,
    ];
    const p = new ProcessEndpoint({ command: process.execPath, args: fast, framing: "lines" });
    try {
      p.start();
      const taken = () => Number(existsSync(progress) ? readFileSync(progress, "utf8") : 0);
      // Nobody reads messages() for a while: the program must stall far short of n (a pipe,
      // a stream buffer and the endpoint's queue hold a few thousand lines, not 200,000).
      const stalled = await settled(taken, { what: "the program to stall with nobody reading" });
      assert.ok(stalled < 50_000, `the program wrote ${stalled} lines with nobody reading`);
      let expected = 0;
      let wrong = -1;
      for await (const m of p.messages()) {
        if (wrong < 0 && Buffer.from(m.payload).toString() !== String(expected)) wrong = expected;
        expected++;
      }
      assert.equal(wrong, -1, `line ${wrong} out of order`);
      assert.equal(expected, n, "every line, once, and messages() ends after the program");
      assert.equal(taken(), n);
    } finally {
      await p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
