/**
 * systemd units (issue 17, Shell/proc):
 * - a `.service` with an `ExecStart=` becomes a `service` whose `x-run` is that command's argv
 *   (exec-line.ts), `x-cwd` its absolute `WorkingDirectory=` or else the unit's folder, and
 *   `x-note` its `Description=`;
 * - a `.socket` with `Listen*=` lines becomes a `file` symbol (an endpoint, named after the
 *   unit file) whose `x-listen` lists what it listens on, named as Go's net package names
 *   networks: `unix:<path>` (`unix:@name` for an abstract socket; `unixgram:`/`unixpacket:`
 *   for datagram and sequential-packet ones), `tcp:<port or host:port>`, `udp:…` for a
 *   datagram port, and `fifo:<path>`.
 * `[Install]` says when a unit starts, not what it is: ignored. A unit whose command cannot be
 * split (an open quote) claims nothing.
 */
import type { JsonValue } from "@rtt/core";
import { discoveredSaddr } from "./address.ts";
import { execArgv } from "./exec-line.ts";
import type { Discovery, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { fileNameOf, inRttFolder, projectFolderOf } from "./project-folder.ts";
import { parseUnitFile, type UnitEntry, valuesOf } from "./unit-file.ts";

/** Structured project metadata (ADR 0026). */
export const SYSTEMD_SCORE = 0.9;

type SystemdFact = {
  readonly namespace: string;
  readonly line: number;
  readonly note?: string;
} & (
  | { readonly unit: "service"; readonly argv: string[]; readonly cwd?: string }
  | { readonly unit: "socket"; readonly listen: string[] }
) & { [key: string]: JsonValue };

const UNIX_NETWORK: Readonly<Record<string, string>> = {
  ListenStream: "unix",
  ListenDatagram: "unixgram",
  ListenSequentialPacket: "unixpacket",
};
const LISTEN_KEYS = [...Object.keys(UNIX_NETWORK), "ListenFIFO"];
/** A port, or an IPv4 or [IPv6] address and a port. */
const PORT = /^(?:[0-9]{1,5}|(?:\[[0-9a-fA-F:.%\w]+\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}):[0-9]{1,5})$/;

/** What one `Listen*=` value listens on, or undefined for kinds RTT cannot reach (netlink…). */
export function listenOf(key: string, value: string): string | undefined {
  if (key === "ListenFIFO") return value.startsWith("/") ? `fifo:${value}` : undefined;
  const network = UNIX_NETWORK[key];
  if (network === undefined) return undefined;
  if (value.startsWith("/") || value.startsWith("@")) return `${network}:${value}`;
  if (!PORT.test(value) || key === "ListenSequentialPacket") return undefined;
  return `${key === "ListenDatagram" ? "udp" : "tcp"}:${value}`;
}

function noteOf(entries: readonly UnitEntry[]): { note?: string } {
  const note = valuesOf(entries, "Unit", "Description").at(-1)?.value;
  return note === undefined ? {} : { note };
}

function serviceFact(entries: readonly UnitEntry[], namespace: string): SystemdFact[] {
  const exec = valuesOf(entries, "Service", "ExecStart")[0];
  const argv = exec === undefined ? undefined : execArgv(exec.value);
  if (exec === undefined || argv === undefined) return [];
  // "-" before the folder only says a missing one is no error.
  const cwd = valuesOf(entries, "Service", "WorkingDirectory").at(-1)?.value.replace(/^-/, "");
  return [
    {
      unit: "service",
      namespace,
      line: exec.line,
      argv,
      ...(cwd?.startsWith("/") ? { cwd } : {}),
      ...noteOf(entries),
    },
  ];
}

function socketFact(entries: readonly UnitEntry[], namespace: string): SystemdFact[] {
  const lines = entries
    .filter((e) => e.section === "Socket" && LISTEN_KEYS.includes(e.key))
    .flatMap((e) => {
      const listen = listenOf(e.key, e.value);
      return listen === undefined ? [] : [{ listen, line: e.line }];
    });
  const first = lines[0];
  if (first === undefined) return [];
  const listen = lines.map((l) => l.listen);
  return [{ unit: "socket", namespace, line: first.line, listen, ...noteOf(entries) }];
}

function claimOf(rel: string, fact: SystemdFact): Discovery["contract"] {
  const file = fileNameOf(rel);
  const note = fact.note === undefined ? {} : { "x-note": fact.note };
  if (fact.unit === "service") {
    const name = file.slice(0, -".service".length);
    return {
      saddr: discoveredSaddr({ namespace: fact.namespace, type: "service", name }),
      type: "service",
      direction: "both",
      io: "stream",
      "x-run": fact.argv,
      "x-cwd": fact.cwd ?? ".",
      ...note,
    };
  }
  return {
    saddr: discoveredSaddr({ namespace: fact.namespace, type: "file", name: file }),
    type: "file",
    direction: "both",
    io: "stream",
    "x-listen": fact.listen,
    ...note,
  };
}

export const systemdIndexer: Indexer<SystemdFact> = {
  name: "systemd",
  revision: 1,
  wanted: { extensions: [".service", ".socket"] },
  wants(entry: IndexEntry): boolean {
    return (
      entry.kind === "file" &&
      (entry.name.endsWith(".service") || entry.name.endsWith(".socket")) &&
      entry.name.length > ".socket".length &&
      !inRttFolder(entry.rel)
    );
  },
  read(input: IndexInput): SystemdFact[] {
    const entries = parseUnitFile(input.text());
    const namespace = projectFolderOf(input.rel, input.abs);
    return input.name.endsWith(".service")
      ? serviceFact(entries, namespace)
      : socketFact(entries, namespace);
  },
  discover(files): Discovery[] {
    return files.flatMap(({ rel, facts }) =>
      facts.map((fact) => ({
        contract: claimOf(rel, fact),
        score: SYSTEMD_SCORE,
        provenance: { indexer: "systemd", file: rel, line: fact.line },
      })),
    );
  },
};
