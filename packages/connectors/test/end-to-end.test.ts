// The reference drivers as real processes, wired driver to driver (one Offers a lane, the
// other Binds to it), moving real bytes between real endpoints over SHM and UDS lanes:
//   a. an NDJSON file → file driver → process driver (a real program's stdin) → its stdout
//   b. a process's stdout (request messages) → http driver (target) → a loopback server → responses
//   c. HTTP requests → http driver (source) → file driver → a log file; answered by correlation id
//   d. kill -9 of a driver mid-stream: noticed, restarted, nothing left behind.
//   e. the quickstart's own programs: emit.py → logger.mjs, and refresh.mjs ⇄ server.mjs (the
//      http driver starts it from its x-run), request and response on two lanes.
import assert from "node:assert/strict";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DriverHost, type DriverHostOptions, type DriverLogLine } from "@rtt/connector-sdk";
import { eventually } from "@rtt/core/testing";
import {
  type Frame,
  FrameType,
  type LaneReader,
  listenReader,
  listenWriter,
  loadShm,
} from "@rtt/fabric";

const KINDS = ["shm", "uds"] as const;
const shmMissing = loadShm() === undefined ? "no shm addon" : false;

function driverFile(pkg: string): string {
  return fileURLToPath(new URL(`../${pkg}/src/driver.ts`, import.meta.url));
}

const lines: DriverLogLine[] = [];
function options(extra: DriverHostOptions = {}): DriverHostOptions {
  return {
    log: (l) => lines.push(l),
    startTimeoutMs: 10_000,
    heartbeatMs: 100,
    graceMs: 2000,
    stopTimeoutMs: 2000,
    ...extra,
  };
}

function launch(pkg: string, extra: DriverHostOptions = {}): Promise<DriverHost> {
  return DriverHost.launch(
    { name: pkg, command: process.execPath, args: [driverFile(pkg)] },
    options(extra),
  );
}

/** How long a wait may take: the bound only ends a hang (a loaded 2-core machine is slow, not wrong). */
const WAIT_MS = 60_000;

interface Got {
  frames: { correlation: number; text: string }[];
  ended: boolean;
}
function collect(reader: LaneReader): Got {
  const got: Got = { frames: [], ended: false };
  reader.on("frame", (f: Frame) => {
    if (f.type === FrameType.DATA)
      got.frames.push({ correlation: f.correlation, text: Buffer.from(f.payload).toString() });
  });
  reader.on("end", () => {
    got.ended = true;
  });
  reader.on("error", () => {});
  return got;
}

// A real program: upper-cases each stdin line onto stdout.
const UPPER = `process.stdin.setEncoding("utf8"); let b = "";
process.stdin.on("data", (d) => { b += d; let i;
  while ((i = b.indexOf("\\n")) >= 0) { process.stdout.write(b.slice(0, i).toUpperCase() + "\\n"); b = b.slice(i + 1); } });`;

const contract = (saddr: string, type: string) =>
  JSON.stringify({ saddr, type, direction: "both" });

let dir: string;
let file: DriverHost;
let proc: DriverHost;
let http: DriverHost;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "rtt-e2e-"));
  [file, proc, http] = await Promise.all([launch("file"), launch("process"), launch("http")]);
});
after(async () => {
  await Promise.all([file, proc, http].map((h) => h?.stop().catch(() => {})));
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens an NDJSON file link on `host` (the file driver) following `path`, allowed to open paths
 * in the test's folder (what the panel sends as the workspace, ADR 0022).
 */
function openFile(host: DriverHost, name: string, params: Record<string, string>): Promise<string> {
  const saddr = `rtt://fs/file/${name}@1.0.0#ndjson`;
  const allowed = JSON.stringify({
    saddr,
    type: "file",
    direction: "both",
    "x-allow-paths": [dir],
  });
  return host.open(saddr, { contract: allowed, params });
}

function openProcess(host: DriverHost, argv: string[], params: Record<string, string> = {}) {
  const saddr = "rtt://demo/proc/program@1.0.0";
  return host.open(saddr, {
    contract: contract(saddr, "proc"),
    params: { command: JSON.stringify(argv), ...params },
  });
}

function openApi(params: Record<string, string>): Promise<string> {
  const saddr = "rtt://demo/api/metrics@1.0.0";
  return http.open(saddr, { contract: contract(saddr, "api"), params });
}

describe("file → process stdin → stdout", () => {
  for (const kind of KINDS) {
    test(`${kind} lanes`, { skip: kind === "shm" && shmMissing }, async () => {
      const path = join(dir, `in-${kind}.ndjson`);
      writeFileSync(path, "");
      const fileLink = await openFile(file, `in-${kind}`, { path, framing: "lines" });
      const procLink = await openProcess(proc, [process.execPath, "-e", UPPER]);
      const out = await listenReader(kind);
      const between = await file.offer(fileLink, "outbound", kind);
      await proc.bind(procLink, { inbound: between, outbound: out.address });
      const got = collect(await out.accepted);
      const n = 600;
      const expected: string[] = [];
      for (let batch = 0; batch < 6; batch++) {
        let text = "";
        for (let i = batch * (n / 6); i < (batch + 1) * (n / 6); i++) {
          text += `${JSON.stringify({ seq: i, msg: `line ${i}` })}\n`;
          expected.push(JSON.stringify({ SEQ: i, MSG: `LINE ${i}` }));
        }
        appendFileSync(path, text);
        await new Promise((r) => setTimeout(r, 20));
      }
      await eventually(() => got.frames.length >= n, {
        what: `${n} upper-cased lines`,
        timeoutMs: WAIT_MS,
      });
      await new Promise((r) => setTimeout(r, 100)); // nothing more (no duplicates) arrives
      assert.deepEqual(
        got.frames.map((f) => f.text),
        expected,
      );
      await proc.close(procLink);
      await file.close(fileLink);
      await eventually(() => got.ended, {
        what: "EOS from the process driver",
        timeoutMs: WAIT_MS,
      });
    });
  }
});

describe("process stdout → http target → loopback server → responses", () => {
  let server: Server;
  let port = 0;
  before(async () => {
    server = createServer((req, res) => {
      const i = new URL(req.url ?? "/", "http://x").searchParams.get("i");
      res.writeHead(i === "13" ? 404 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ i: Number(i), method: req.method }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test("probe finds api manifests that name an x-url, and opens them by it", async () => {
    const root = join(dir, "probe");
    const manifest = (saddr: string, extra: Record<string, unknown>) =>
      JSON.stringify({
        $schema: "https://rtt/spec/v1",
        symbol: { saddr, type: "api", direction: "provider", io: "req", ...extra },
      });
    mkdirSync(join(root, "metrics"), { recursive: true });
    mkdirSync(join(root, "other"), { recursive: true });
    writeFileSync(
      join(root, "metrics", "rtt.manifest.json"),
      manifest("rtt://core/api/metrics@1.0.0", { "x-url": `http://127.0.0.1:${port}` }),
    );
    writeFileSync(
      join(root, "other", "rtt.manifest.json"),
      manifest("rtt://core/api/other@1.0.0", {}),
    );
    const found = await http.probe(root);
    assert.deepEqual(
      found.map((f) => f.saddr),
      ["rtt://core/api/metrics@1.0.0"],
    );
    const link = await http.open("rtt://core/api/metrics@1.0.0");
    const reply = http.rx(link, { max: 1 });
    const replies: [number, string][] = [];
    const reading = (async () => {
      for await (const c of reply) replies.push([c.correlation, Buffer.from(c.bytes).toString()]);
    })();
    await new Promise((r) => setTimeout(r, 20));
    await http.tx(link, Buffer.from(JSON.stringify({ method: "GET", path: "/x?i=5" })), {
      correlation: 42,
    });
    await reading;
    assert.equal(replies[0]?.[0], 42);
    assert.equal((JSON.parse(replies[0]?.[1] ?? "{}") as { status: number }).status, 200);
    await http.close(link);
  });

  test("a non-loopback url is refused", async () => {
    await assert.rejects(openApi({ url: "http://192.0.2.1:80" }), {
      code: "RTT_ERR_LANE_ADDRESS",
      message: /loopback only/,
    });
  });

  for (const kind of KINDS) {
    test(`${kind} lanes`, { skip: kind === "shm" && shmMissing }, async () => {
      const n = 200;
      const program = `for (let i = 0; i < ${n}; i++) console.log(JSON.stringify({ method: "GET", path: "/series?i=" + i })); process.stdin.resume();`;
      const procLink = await openProcess(proc, [process.execPath, "-e", program], {
        correlate: "sequence",
      });
      const apiLink = await openApi({ url: `http://127.0.0.1:${port}` });
      const out = await listenReader(kind);
      const between = await proc.offer(procLink, "outbound", kind);
      await http.bind(apiLink, { inbound: between, outbound: out.address });
      const got = collect(await out.accepted);
      await eventually(() => got.frames.length >= n, {
        what: `${n} responses`,
        timeoutMs: WAIT_MS,
      });
      const seen = new Set<number>();
      for (const f of got.frames) {
        const response = JSON.parse(f.text) as { status: number; body: string };
        const body = JSON.parse(Buffer.from(response.body, "base64").toString()) as { i: number };
        // Correlation n is the process's n-th line, which asked for i = n - 1.
        assert.equal(
          body.i,
          f.correlation - 1,
          `response ${f.correlation} paired with its request`,
        );
        assert.equal(response.status, body.i === 13 ? 404 : 200);
        seen.add(f.correlation);
      }
      assert.equal(seen.size, n, "every request answered exactly once");
      await proc.close(procLink);
      await http.close(apiLink);
    });
  }
});

function post(
  socketPath: string,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "POST" }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("http source → file driver → log file, answered by correlation id", () => {
  for (const kind of KINDS) {
    test(`${kind} lanes`, { skip: kind === "shm" && shmMissing }, async () => {
      const socketPath = join(dir, `api-${kind}.sock`);
      const log = join(dir, `requests-${kind}.ndjson`);
      const apiLink = await openApi({ listen: socketPath });
      const logLink = await openFile(file, `requests-${kind}`, { path: log, append: "lines" });
      const between = await http.offer(apiLink, "outbound", kind);
      await file.bind(logLink, { inbound: between });
      // The responder: sees each request (with its correlation id) on a tap beside the lane,
      // and answers through the link's inbound lane under the same id.
      const answers = await listenWriter(kind);
      await http.bind(apiLink, { inbound: answers.address });
      const writer = await answers.accepted;
      writer.on("error", () => {});
      const tap = http.rx(apiLink);
      const responding = (async () => {
        for await (const chunk of tap) {
          const req = JSON.parse(Buffer.from(chunk.bytes).toString()) as {
            path: string;
            body: string;
          };
          const body = Buffer.from(`ok ${req.path} ${Buffer.from(req.body, "base64")}`).toString(
            "base64",
          );
          writer.write(Buffer.from(JSON.stringify({ status: 201, body })), {
            correlation: chunk.correlation,
          });
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const n = 60;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => post(socketPath, `/ingest/${i}`, `payload-${i}`)),
      );
      results.forEach((r, i) => {
        assert.equal(r.status, 201);
        assert.equal(r.body, `ok /ingest/${i} payload-${i}`, "each client got its own answer");
      });
      await eventually(
        () => existsSync(log) && readFileSync(log, "utf8").split("\n").filter(Boolean).length >= n,
        { what: `${n} requests in the log`, timeoutMs: WAIT_MS },
      );
      await new Promise((r) => setTimeout(r, 100));
      const logged = readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { path: string }).path)
        .sort();
      assert.deepEqual(logged, Array.from({ length: n }, (_, i) => `/ingest/${i}`).sort());
      tap.cancel();
      await responding;
      await http.close(apiLink);
      await file.close(logLink);
      writer.destroy();
      assert.equal(existsSync(socketPath), false, "the source's socket file is removed");
    });
  }
});

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/**
 * What the driver `pid` left: shm segments and lane sockets named with its pid and made since
 * `since` (ms) — an older one is an earlier process's that had the same pid.
 */
function leftovers(pid: number, since: number): string[] {
  const madeSince = (path: string) => {
    try {
      return statSync(path).mtimeMs >= since;
    } catch {
      return false; // gone meanwhile
    }
  };
  const mine = (dirPath: string, re: RegExp) =>
    existsSync(dirPath)
      ? readdirSync(dirPath)
          .filter((n) => re.test(n))
          .map((n) => join(dirPath, n))
          .filter(madeSince)
      : [];
  return [
    ...mine("/dev/shm", new RegExp(`^rtt-${pid.toString(36)}-`)),
    ...mine(join(tmpdir(), `rtt-${process.getuid?.() ?? "user"}`), new RegExp(`-${pid}-`)),
  ];
}

describe("kill -9 of a driver mid-stream", () => {
  for (const kind of KINDS) {
    test(`${kind} lanes: noticed at once, restarted with backoff, nothing left behind`, {
      skip: kind === "shm" && shmMissing,
    }, async (t) => {
      const heartbeatMs = 250;
      // Whole seconds: a file system may keep mtimes no finer.
      const started = Math.floor(Date.now() / 1000) * 1000;
      const victim = await launch("file", { heartbeatMs, restart: { baseMs: 100, maxMs: 1000 } });
      try {
        const path = join(dir, `kill-${kind}.ndjson`);
        writeFileSync(path, "");
        const fileLink = await openFile(victim, `kill-${kind}`, { path, framing: "lines" });
        const procLink = await openProcess(proc, [process.execPath, "-e", UPPER]);
        const out = await listenReader(kind);
        await proc.bind(procLink, {
          inbound: await victim.offer(fileLink, "outbound", kind),
          outbound: out.address,
        });
        const got = collect(await out.accepted);
        // Keep the file growing while the driver is killed.
        let i = 0;
        const writing = setInterval(() => {
          let text = "";
          for (let k = 0; k < 20; k++) text += `x${i++}\n`;
          appendFileSync(path, text);
        }, 5);
        await eventually(() => got.frames.length > 100, {
          what: "the stream flowing",
          timeoutMs: WAIT_MS,
        });
        const pid = victim.pid;
        const socket = victim.record.socket;
        const exited = new Promise<number>((resolve) =>
          victim.once("exit", () => resolve(performance.now())),
        );
        const restarted = new Promise<number>((resolve) =>
          victim.once("restart", (r) => resolve(r.pid)),
        );
        const killedAt = performance.now();
        process.kill(pid, "SIGKILL");
        const noticedMs = (await exited) - killedAt;
        clearInterval(writing);
        t.diagnostic(
          `kill -9 noticed after ${noticedMs.toFixed(1)} ms (heartbeat ${heartbeatMs} ms)`,
        );
        // SIGCHLD makes it immediate; the bound is generous for a loaded machine.
        assert.ok(noticedMs < 2000, `noticed after ${noticedMs} ms`);
        const newPid = await restarted;
        assert.notEqual(newPid, pid);
        assert.equal(procState(pid), undefined, "the killed driver is reaped, not a zombie");
        assert.equal(existsSync(socket), false, "its socket file is removed");
        await eventually(() => leftovers(pid, started).length === 0, {
          what: "no segment or lane socket of the killed driver",
          timeoutMs: 2000,
        }).catch(() => assert.deepEqual(leftovers(pid, started), []));
        // The restarted driver serves again: wire a fresh link to the same process link.
        const next = join(dir, `kill-${kind}-after.ndjson`);
        writeFileSync(next, "after\n");
        const fresh = await openFile(victim, `kill-${kind}-after`, {
          path: next,
          framing: "lines",
        });
        const before = got.frames.length;
        await proc.bind(procLink, { inbound: await victim.offer(fresh, "outbound", kind) });
        await eventually(() => got.frames.slice(before).some((f) => f.text === "AFTER"), {
          what: "a line through the restarted driver",
          timeoutMs: WAIT_MS,
        });
        await proc.close(procLink);
      } finally {
        await victim.stop();
      }
    });
  }
});

describe("the quickstart's programs, wired driver to driver", () => {
  const quickstart = fileURLToPath(new URL("../../../examples/quickstart", import.meta.url));
  /** Opens a symbol from the copied quickstart by its manifest, as the panel would. */
  function openManifest(host: DriverHost, root: string, folder: string): Promise<string> {
    const manifest = join(root, folder, "rtt.manifest.json");
    const { symbol } = JSON.parse(readFileSync(manifest, "utf8")) as {
      symbol: { saddr: string };
    };
    const contract = JSON.stringify({ ...symbol, "x-cwd": dirname(manifest) });
    return host.open(symbol.saddr, { contract, params: {} });
  }

  for (const kind of KINDS) {
    test(`${kind} lanes: events → logger, and refresh ⇄ metrics`, {
      skip: kind === "shm" && shmMissing,
    }, async () => {
      const root = join(dir, `quickstart-${kind}`);
      cpSync(quickstart, root, {
        recursive: true,
        filter: (from) => !from.includes(`${join(quickstart, "logs")}`),
      });
      const logs = join(root, "logs");

      // Route events-to-log: python3 emit.py's stdout → logger.mjs's stdin.
      const events = await openManifest(proc, root, "services/events");
      const logger = await openManifest(proc, root, "services/logger");
      await proc.bind(logger, { inbound: await proc.offer(events, "outbound", kind) });

      // Route ui-refresh: the hook's request lines → the api (started by the http driver) →
      // responses back into the hook's stdin, paired by correlation id.
      const metrics = await openManifest(http, root, "services/metrics");
      const refresh = await openManifest(proc, root, "ui");
      await http.bind(metrics, { inbound: await proc.offer(refresh, "outbound", kind) });
      await proc.bind(refresh, { inbound: await http.offer(metrics, "outbound", kind) });

      const refreshLog = join(logs, "refresh.ndjson");
      const eventsLog = join(logs, "events.ndjson");
      const linesOf = (path: string) =>
        existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
      await eventually(() => linesOf(refreshLog).length >= 1, {
        what: "the refresh line",
        timeoutMs: WAIT_MS,
      });
      const line = JSON.parse(linesOf(refreshLog)[0] ?? "{}") as {
        status: number;
        series: { http_requests_total: number };
      };
      assert.equal(line.status, 200);
      assert.ok(line.series.http_requests_total >= 1);
      // emit.py streams for ever, 200 ms apart; the logger appends each event as it comes.
      await eventually(() => linesOf(eventsLog).length >= 10, {
        what: "10 events in the log",
        timeoutMs: WAIT_MS,
      });
      const seqs = linesOf(eventsLog).map(
        (l) => (JSON.parse(l) as { record: { seq: number } }).record.seq,
      );
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
      );

      for (const link of [refresh, events, logger]) await proc.close(link);
      await http.close(metrics);
    });
  }
});
