/**
 * launchd jobs (issue 17, Shell/proc): an XML `*.plist` whose top dict has a `Label` and a
 * `ProgramArguments` array or a `Program` becomes a `service` named after the label. `x-run` is
 * what launchd executes: `Program` when given (then `ProgramArguments[0]` is only argv[0], and is
 * dropped like systemd's `@`), else `ProgramArguments`. `x-cwd` is an absolute
 * `WorkingDirectory`, else the plist's folder. `Sockets` (launchd.plist(5): a dict of named
 * sockets, each a dict or an array of them) become `x-listen`, named like the systemd
 * indexer's: `unix:<SockPathName>` (`unixgram:`/`unixpacket:` by `SockType`), or `tcp:`/`udp:`
 * and `[SockNodeName:]SockServiceName`. Binary plists (`bplist00`)
 * and plists that are not jobs (an app's Info.plist) claim nothing.
 */
import type { JsonValue } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import type { Discovery, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { type PlistDict, type PlistValue, parsePlistXml } from "./plist-xml.ts";
import { inRttFolder, projectFolderOf } from "./project-folder.ts";

/** Structured project metadata (ADR 0026). */
export const LAUNCHD_SCORE = 0.9;

type LaunchdFact = {
  readonly namespace: string;
  readonly label: string;
  readonly argv: string[];
  readonly line: number;
  readonly cwd?: string;
  readonly listen: string[];
} & { [key: string]: JsonValue };

const BINARY_MAGIC = "bplist";
/** launchd's SockType for a socket at a path, as Go's net package names the network. */
const UNIX_NETWORK: Readonly<Record<string, string>> = {
  stream: "unix",
  dgram: "unixgram",
  seqpacket: "unixpacket",
};

function stringOf(v: PlistValue | undefined): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function argvOf(job: PlistDict): string[] | undefined {
  const program = stringOf(job.get("Program"));
  const args = job.get("ProgramArguments");
  const list =
    Array.isArray(args) && args.every((a) => typeof a === "string") ? (args as string[]) : [];
  if (program !== undefined) return [program, ...list.slice(1)];
  return list.length > 0 && list[0] !== "" ? list : undefined;
}

function socketListen(s: PlistValue): string[] {
  if (Array.isArray(s)) return s.flatMap(socketListen);
  if (!(s instanceof Map)) return [];
  const type = s.get("SockType") ?? "stream";
  const path = stringOf(s.get("SockPathName"));
  if (path !== undefined) {
    const network = UNIX_NETWORK[String(type)];
    return network === undefined ? [] : [`${network}:${path}`];
  }
  const service = s.get("SockServiceName");
  const port = typeof service === "number" ? String(service) : stringOf(service);
  if (port === undefined || (type !== "stream" && type !== "dgram")) return [];
  const node = stringOf(s.get("SockNodeName"));
  return [`${type === "dgram" ? "udp" : "tcp"}:${node === undefined ? "" : `${node}:`}${port}`];
}

function listenOf(job: PlistDict): string[] {
  const sockets = job.get("Sockets");
  if (!(sockets instanceof Map)) return [];
  return [...sockets.keys()].sort().flatMap((name) => socketListen(sockets.get(name) ?? []));
}

export const launchdIndexer: Indexer<LaunchdFact> = {
  name: "launchd",
  revision: 1,
  wanted: { extensions: [".plist"] },
  wants(entry: IndexEntry): boolean {
    return entry.kind === "file" && entry.name.endsWith(".plist") && !inRttFolder(entry.rel);
  },
  read(input: IndexInput): LaunchdFact[] {
    if (input.head(BINARY_MAGIC.length).toString("latin1") === BINARY_MAGIC) return [];
    const parsed = parsePlistXml(input.text());
    if (parsed === undefined || !(parsed.root instanceof Map)) return [];
    const job = parsed.root;
    const label = stringOf(job.get("Label"));
    const argv = argvOf(job);
    if (label === undefined || argv === undefined) return [];
    const line = parsed.keyLines.get(job.has("Program") ? "Program" : "ProgramArguments") ?? 1;
    const cwd = stringOf(job.get("WorkingDirectory"));
    return [
      {
        namespace: projectFolderOf(input.rel, input.abs),
        label,
        argv,
        line,
        ...(cwd?.startsWith("/") ? { cwd } : {}),
        listen: listenOf(job),
      },
    ];
  },
  discover(files): Discovery[] {
    return files.flatMap(({ rel, facts }) =>
      facts.map((fact) => ({
        contract: {
          saddr: discoveredSaddr({ namespace: fact.namespace, type: "service", name: fact.label }),
          type: "service",
          direction: "both",
          io: "stream",
          "x-run": fact.argv,
          "x-cwd": fact.cwd ?? ".",
          ...(fact.listen.length > 0 ? { "x-listen": fact.listen } : {}),
        },
        score: LAUNCHD_SCORE,
        provenance: { indexer: "launchd", file: rel, line: fact.line },
      })),
    );
  },
};
