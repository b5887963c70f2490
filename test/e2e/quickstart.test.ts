/**
 * examples/quickstart, on a temp copy: `rtt scan` catalogues its five declared symbols (emit.py,
 * a script the events manifest runs, is none of its own) with the tags of its .rtttags sidecars, `rtt ls routes` resolves each route end to exactly one symbol, the
 * selectors filter, and the quickstart's own programs (metrics server, UI refresh hook, event
 * emitter piped into the NDJSON logger) work on their own.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import {
  available,
  childEnv,
  copyQuickstart,
  makeTempDir,
  parseJson,
  removeTempDirs,
  run,
  runRtt,
  stopProcess,
} from "./helpers.ts";

after(removeTempDirs);

const METRICS = "rtt://core/api/metrics@1.0.0#prom";
const EVENTS = "rtt://core/bus/events@1.0.0";
const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";
const LOGGER2 = "rtt://obs/extension/logger2@1.0.0#ndjson";
const REFRESH = "rtt://ui/hook/refresh@1.0.0";

interface ListedSymbol {
  readonly saddr: string;
  readonly type: string;
  readonly direction: string;
  readonly tags: Record<string, string>;
  readonly source: { readonly file: string };
  readonly contract_hash: string;
}

async function lsSymbols(cwd: string, args: readonly string[]): Promise<ListedSymbol[]> {
  const r = await runRtt(["ls", "symbols", ...args, "--json"], { cwd });
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  const value = parseJson(r.stdout);
  assert.ok(Array.isArray(value));
  return value as ListedSymbol[];
}

describe("rtt on a temp copy of examples/quickstart", () => {
  let ws = "";
  before(() => {
    ws = copyQuickstart();
  });

  it("rtt scan exits 0: 5 manifests, 5 symbols, no problems", async () => {
    const r = await runRtt(["scan"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    // Besides manifests and sidecars, the indexers look into the programs; emit.py is a shebang
    // script, but the events manifest runs it, so it is no symbol of its own.
    assert.match(
      r.stdout,
      /^scanned \d+ files in \d+ folders: 5 manifests → 5 symbols; no problems \(\d+ read, 0 unchanged\) in \d+ ms\n$/,
    );
  });

  it("rtt ls symbols --json lists the 5 symbols with the tags of the .rtttags sidecars", async () => {
    const symbols = await lsSymbols(ws, []);
    assert.deepEqual(
      symbols.map((s) => ({
        saddr: s.saddr,
        type: s.type,
        direction: s.direction,
        file: s.source.file,
        tags: s.tags,
      })),
      [
        {
          saddr: METRICS,
          type: "api",
          direction: "provider",
          file: "services/metrics/rtt.manifest.json",
          tags: { project: "quickstart", team: "platform" },
        },
        {
          saddr: EVENTS,
          type: "bus",
          direction: "provider",
          file: "services/events/rtt.manifest.json",
          tags: { project: "quickstart", team: "platform" },
        },
        {
          saddr: LOGGER2,
          type: "extension",
          direction: "consumer",
          file: "services/logger2/rtt.manifest.json",
          tags: { project: "quickstart", team: "observability" },
        },
        {
          saddr: LOGGER,
          type: "extension",
          direction: "consumer",
          file: "services/logger/rtt.manifest.json",
          tags: { project: "quickstart", team: "observability" },
        },
        {
          saddr: REFRESH,
          type: "hook",
          direction: "consumer",
          file: "ui/rtt.manifest.json",
          tags: { project: "quickstart" },
        },
      ],
    );
    for (const s of symbols) assert.match(s.contract_hash, /^[0-9a-f]{64}$/, s.saddr);
    assert.equal(new Set(symbols.map((s) => s.contract_hash)).size, 5);
  });

  it("rtt ls routes --json resolves each route end to exactly 1 symbol", async () => {
    const r = await runRtt(["ls", "routes", "--json"], { cwd: ws });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    const end = (reference: string, saddr: string) => ({
      reference,
      matches: [saddr],
      count: 1,
      why: `resolves to ${saddr}`,
    });
    assert.deepEqual(parseJson(r.stdout), [
      {
        id: "ui-refresh",
        from: end("rtt://ui/hook/refresh", REFRESH),
        to: [end("rtt://core/api/metrics@^1", METRICS)],
        live: null, // no panel runs here
      },
      {
        id: "events-to-log",
        from: end("rtt://core/bus/events", EVENTS),
        to: [end("rtt://obs/extension/logger#ndjson", LOGGER)],
        live: null,
      },
    ]);
  });

  it("rtt ls symbols 'rtt://core/*/*' filters to the 2 core symbols", async () => {
    const symbols = await lsSymbols(ws, ["rtt://core/*/*"]);
    assert.deepEqual(
      symbols.map((s) => s.saddr),
      [METRICS, EVENTS],
    );
  });

  it("--type filters: bus → 1, and with a pattern 'rtt://core/*/*' --type api → 1", async () => {
    const [bus, coreApi] = await Promise.all([
      lsSymbols(ws, ["--type", "bus"]),
      lsSymbols(ws, ["rtt://core/*/*", "--type", "api"]),
    ]);
    assert.deepEqual(
      bus.map((s) => s.saddr),
      [EVENTS],
    );
    assert.deepEqual(
      coreApi.map((s) => s.saddr),
      [METRICS],
    );
  });
});

describe("the quickstart's programs run on their own", () => {
  let ws = "";
  let server: ChildProcessWithoutNullStreams | undefined;
  let base = "";
  let serverStderr = "";

  before(async () => {
    ws = copyQuickstart();
    const child = spawn(process.execPath, ["services/metrics/server.mjs", "0"], {
      cwd: ws,
      env: childEnv(),
    });
    server = child;
    child.stderr.on("data", (b: Buffer) => {
      serverStderr += b.toString("utf8");
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      let text = "";
      const timer = setTimeout(
        () => reject(new Error("metrics server did not start in 10 s")),
        10_000,
      );
      child.stdout.on("data", (b: Buffer) => {
        text += b.toString("utf8");
        if (text.includes("\n")) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`metrics server exited early (${code}): ${serverStderr}`));
      });
    });
    const m = /^metrics listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(firstLine);
    assert.ok(m, `unexpected first line: ${JSON.stringify(firstLine)}`);
    base = m[1] ?? "";
    assert.ok(Number(m[2]) > 0);
  });

  after(async () => {
    if (server !== undefined) await stopProcess(server);
  });

  // The server counts every request it serves in http_requests_total; these tests run in
  // order, so each one knows which request it is.
  it("GET /metrics returns Prometheus text with http_requests_total", async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4");
    const lines = (await res.text()).split("\n");
    assert.equal(lines.length, 7, lines.join("\n"));
    assert.equal(lines[0], "# TYPE uptime_seconds gauge");
    assert.match(lines[1] ?? "", /^uptime_seconds \d+(\.\d+)?$/);
    assert.equal(lines[2], "# TYPE process_rss_bytes gauge");
    assert.match(lines[3] ?? "", /^process_rss_bytes [1-9]\d*$/);
    assert.equal(lines[4], "# TYPE http_requests_total gauge");
    assert.equal(lines[5], "http_requests_total 1");
    assert.equal(lines[6], "");
  });

  it("GET /series?name=uptime_seconds returns JSON with just that series", async () => {
    const res = await fetch(`${base}/series?name=uptime_seconds`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const body = (await res.json()) as { at: unknown; series: Record<string, unknown> };
    assert.deepEqual(Object.keys(body).sort(), ["at", "series"]);
    assert.equal(typeof body.at, "number");
    assert.deepEqual(Object.keys(body.series), ["uptime_seconds"]);
    assert.equal(typeof body.series.uptime_seconds, "number");
    assert.ok(Number(body.series.uptime_seconds) >= 0);
  });

  it("GET /series?name=<unknown> is a 404 with a JSON error", async () => {
    const res = await fetch(`${base}/series?name=nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "no series nope" });
  });

  it("ui/refresh.mjs asks for /series on stdout and logs the response it reads on stdin", async () => {
    const log = join(makeTempDir(), "refresh.ndjson");
    const child = spawn(process.execPath, ["ui/refresh.mjs", log], { cwd: ws, env: childEnv() });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const request = `${JSON.stringify({ method: "GET", path: "/series" })}\n`;
    await eventually(() => out.includes("\n"), { what: "refresh.mjs's request on stdout" });
    assert.equal(out, request);
    // Play the part of RTT's drivers: make the request, hand the response message back.
    const res = await fetch(`${base}/series`);
    const body = Buffer.from(await res.arrayBuffer()).toString("base64");
    child.stdin.end(`${JSON.stringify({ status: res.status, body })}\n`);
    assert.equal(await exited, 0, err);
    assert.equal(out, request, "nothing but the request on stdout");
    const lines = readFileSync(log, "utf8").trim().split("\n");
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0] ?? "") as { status: number; series: Record<string, number> };
    assert.equal(record.status, 200);
    assert.equal(record.series.http_requests_total, 4);
  });

  const noPython = available("python3", ["--version"]) ? false : "python3 is not installed";
  it("emit.py 3 0 piped into logger.mjs writes exactly 3 NDJSON records, seq 1..3", {
    skip: noPython,
  }, async () => {
    const out = join(makeTempDir(), "events.ndjson");
    const emitter = spawn("python3", ["services/events/emit.py", "3", "0"], {
      cwd: ws,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logger = spawn(process.execPath, ["services/logger/logger.mjs", out], {
      cwd: ws,
      env: childEnv(),
      stdio: [emitter.stdout, "pipe", "pipe"],
    });
    // The logger has its own copy of the pipe's read end now; ours would only hold it open.
    emitter.stdout.destroy();
    const collect = (child: typeof emitter | typeof logger) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        let stderr = "";
        child.stderr?.on("data", (b: Buffer) => {
          stderr += b.toString("utf8");
        });
        child.on("close", (code) => resolve({ code, stderr }));
      });
    const [e, l] = await Promise.all([collect(emitter), collect(logger)]);
    assert.deepEqual(e, { code: 0, stderr: "" });
    assert.deepEqual(l, { code: 0, stderr: `logger: 3 written, 0 rejected → ${out}\n` });
    const text = readFileSync(out, "utf8");
    assert.ok(text.endsWith("\n"));
    const records = text
      .slice(0, -1)
      .split("\n")
      .map((line) => JSON.parse(line) as { received_ms: number; record: Record<string, unknown> });
    assert.equal(records.length, 3);
    records.forEach((r, i) => {
      assert.deepEqual(Object.keys(r).sort(), ["received_ms", "record"]);
      assert.deepEqual(Object.keys(r.record).sort(), ["seq", "ts_ms", "type"]);
      assert.equal(r.record.seq, i + 1);
      assert.equal(r.record.type, "tick");
      assert.ok(Number.isInteger(r.record.ts_ms));
      assert.ok(Number.isInteger(r.received_ms));
      assert.ok(r.received_ms >= Number(r.record.ts_ms), "received after it was emitted");
    });
  });

  // The manifest runs it for ever: it must stop with whoever started it.
  for (const how of ["EOF on its stdin pipe", "SIGTERM"] as const)
    it(`emit.py 0 20 (for ever) ends on ${how}, exit 0, with whole lines`, {
      skip: noPython,
    }, async () => {
      const emitter = spawn("python3", ["services/events/emit.py", "0", "20"], {
        cwd: ws,
        env: childEnv(),
      });
      let out = "";
      emitter.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
      });
      let err = "";
      emitter.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
      });
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        emitter.on("close", (code, signal) => resolve([code, signal])),
      );
      await eventually(() => out.split("\n").length > 3, { what: "three events from emit.py" });
      if (how === "SIGTERM") emitter.kill("SIGTERM");
      else emitter.stdin.end();
      assert.deepEqual(await exited, [0, null], err);
      assert.equal(err, "");
      assert.ok(out.endsWith("\n"), "the last line is whole");
      const seqs = out
        .slice(0, -1)
        .split("\n")
        .map((line) => (JSON.parse(line) as { seq: number }).seq);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
      );
    });

  it("logger.mjs rejects a malformed line on stderr and does not write it", async () => {
    const out = join(makeTempDir(), "events.ndjson");
    const r = await run(process.execPath, ["services/logger/logger.mjs", out], {
      cwd: ws,
      input: '{"seq":1}\nthis is not json\n{"seq":2}\n',
    });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `logger: not JSON, skipped: this is not json\nlogger: 2 written, 1 rejected → ${out}\n`,
    );
    const records = readFileSync(out, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as { record: unknown }).record);
    assert.deepEqual(records, [{ seq: 1 }, { seq: 2 }]);
  });
});
