/**
 * The file driver (docs/design.md §Connectors): file symbols — append-write and follow-read (like
 * `tail -F`, surviving rotation and truncation) —, FIFOs and Unix-socket symbols. Run as a
 * program, this file is the driver executable.
 *
 * The path must lead (symlinks followed) inside one of the contract's `x-allow-paths`: the
 * workspace and panel.yaml's `security.allow_paths`, sent by the panel (ADR 0022). Files and
 * FIFOs are opened through `open-path.ts`, which refuses a link met below the allowed prefix
 * at the open itself; the append descriptor stays open across writes.
 *
 * Route parameters: `path` (else the symbol's probed `x-path`), `kind` (file | fifo | socket;
 * else the symbol's variant, `ndjson` meaning file), `from` (start | end: where following a
 * file begins, default start), `append` (bytes | lines: with lines, each message written to a
 * file gets a "\n" unless it ends with one, so an NDJSON log keeps one message per line),
 * `framing` (raw | lines: with lines, what is read comes out one message per line, without
 * its "\n", as NDJSON records; default raw, chunks as they are read).
 */
import { once } from "node:events";
import { closeSync } from "node:fs";
import type { Socket } from "node:net";
import {
  assertPathAllowed,
  connectConfined,
  defineConnector,
  serveDriver,
} from "@rtt/connector-sdk";
import { allowPathsOf, type Contract, errorMessage, parseConcrete, RttError } from "@rtt/core";
import { follow } from "./follow.ts";
import {
  appendAll,
  openAppend,
  openFifoReader,
  openFifoWriter,
  openRead,
  type PathTarget,
} from "./open-path.ts";
import { probeFiles } from "./probe.ts";

type Kind = "file" | "fifo" | "socket";

const NEWLINE = Buffer.from("\n");

interface FileLink {
  readonly kind: Kind;
  readonly target: PathTarget;
  readonly stop: AbortController;
  readonly fromEnd: boolean;
  readonly lines: boolean;
  readonly readLines: boolean;
  socket?: Socket;
  /** The append descriptor of a file link, opened at its first write. */
  fileOut?: number | undefined;
  fifoOut?: Socket;
  lastError?: string;
}

function kindOf(symbol: Contract, params: Readonly<Record<string, string>>): Kind {
  const wanted = params.kind ?? parseConcrete(symbol.saddr).variant ?? "file";
  if (wanted === "ndjson" || wanted === "file") return "file";
  if (wanted === "fifo" || wanted === "socket") return wanted;
  throw new RttError(
    "RTT_ERR_DOC_SCHEMA",
    `file driver: kind ${JSON.stringify(wanted)}; expected file, fifo or socket`,
  );
}

async function* fifoChunks(link: FileLink): AsyncGenerator<Uint8Array> {
  // Opened read-write (open-path.ts), the reader sees no end-of-file when a writer closes.
  let reader: Socket;
  try {
    reader = openFifoReader(link.target);
  } catch (error) {
    link.lastError = errorMessage(error);
    return;
  }
  const stop = () => reader.destroy();
  link.stop.signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const chunk of reader) yield chunk as Buffer;
  } catch (error) {
    if (!link.stop.signal.aborted) link.lastError = errorMessage(error);
  } finally {
    link.stop.signal.removeEventListener("abort", stop);
    reader.destroy();
  }
}

async function* socketChunks(socket: Socket): AsyncGenerator<Uint8Array> {
  for await (const chunk of socket) yield chunk as Buffer;
}

/** One message per complete line, without its "\n"; a partial line waits for the rest. */
async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buf: Buffer = rest.length === 0 ? Buffer.from(chunk) : Buffer.concat([rest, chunk]);
    let start = 0;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, start)) {
      yield buf.subarray(start, i);
      start = i + 1;
    }
    rest = buf.subarray(start);
  }
  if (rest.length > 0) yield rest;
}

export const fileConnector = defineConnector<FileLink>({
  name: "file",
  version: "0.1.0",
  // So a followed file fed to several routes is read once whatever they tell their targets.
  params: ["path", "kind", "from", "append", "framing"],
  probe: (root) => probeFiles(root).map((f) => ({ ...f.contract, "x-path": f.path }) as Contract),
  async open(symbol, params) {
    const path = params.path ?? (symbol as { "x-path"?: string })["x-path"];
    if (path === undefined) {
      throw new RttError("RTT_ERR_DOC_SCHEMA", `file driver: no path for ${symbol.saddr}`, {
        hint: "give the route a path parameter",
      });
    }
    // Defence in depth (ADR 0022): the plan refused a path outside the workspace already; a
    // link asked for by other means, or a symlink made since, is refused here, before opening,
    // and a link swapped in after this check is refused by each open (open-path.ts).
    const prefixes = allowPathsOf(symbol, `file driver: ${symbol.saddr}`);
    assertPathAllowed(symbol.saddr, path, prefixes);
    const link: FileLink = {
      kind: kindOf(symbol, params),
      target: { saddr: symbol.saddr, path, prefixes },
      stop: new AbortController(),
      fromEnd: params.from === "end",
      lines: params.append === "lines",
      readLines: params.framing === "lines",
    };
    if (link.kind === "socket") link.socket = await connectConfined(symbol.saddr, path, prefixes);
    return link;
  },
  async tx(link, bytes) {
    if (link.kind === "file") {
      const newline = link.lines && bytes[bytes.length - 1] !== 0x0a;
      // Opened once, at the first write (which creates the file), and kept: a link swapped
      // in later cannot redirect the writes. A rotated file keeps receiving them.
      link.fileOut ??= openAppend(link.target);
      return appendAll(link.fileOut, newline ? Buffer.concat([bytes, NEWLINE]) : bytes);
    }
    if (link.kind === "fifo" && link.fifoOut === undefined) {
      // Opened on first write, once the FIFO has a reader (until then this write waits).
      link.fifoOut = await openFifoWriter(link.target, link.stop.signal);
    }
    const out = link.kind === "socket" ? link.socket : link.fifoOut;
    if (out !== undefined && !out.write(bytes)) await once(out, "drain");
  },
  rx(link) {
    const chunks =
      link.kind === "socket" && link.socket !== undefined
        ? socketChunks(link.socket)
        : link.kind === "fifo"
          ? fifoChunks(link)
          : follow(link.target.path, {
              signal: link.stop.signal,
              fromEnd: link.fromEnd,
              open: () => openRead(link.target),
            });
    return link.readLines ? splitLines(chunks) : chunks;
  },
  close(link) {
    link.stop.abort();
    link.socket?.destroy();
    link.fifoOut?.destroy();
    if (link.fileOut !== undefined) closeSync(link.fileOut);
    link.fileOut = undefined;
  },
  health: (link) => ({
    ok: link.lastError === undefined,
    lag_ms: 0,
    ...(link.lastError === undefined ? {} : { err: link.lastError }),
  }),
});

if (import.meta.main) await serveDriver(fileConnector);
