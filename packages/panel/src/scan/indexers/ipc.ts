/**
 * Data and IPC endpoints (issue 17, Data/IPC), found by what the walk already knows:
 * - FIFOs and Unix sockets by their dirent type (never opened), and regular files named
 *   `*.fifo`/`*.sock` (where a program makes one when it starts), as the file connector's probe
 *   addresses them (`fileContract`), so a claim of the driver's Probe on the same path merges;
 * - `*.mq` files, a `queue` at the same place in the `fs` namespace: no driver opens one yet,
 *   so routes can name it but none can be wired until a manifest says how;
 * - `*.schema.json` files holding a JSON object, a `file` symbol named after the schema whose
 *   `x-schema` is the `json://<name>` reference an io slot's `schema` may use.
 * `x-path` is the file's own name: relative to its folder, like every discovered path. Nothing
 * under a `.rtt` folder is claimed: the panel's and drivers' own sockets and FIFOs live there.
 */
import { type FileKind, fileContract, nameFor } from "@rtt/connector-file/probe";
import type { JsonValue } from "@rtt/core";
import { discoveredSaddr, segmentOf } from "./address.ts";
import type { Discovery, IndexEntry, Indexer, IndexInput } from "./indexer.ts";
import { fileNameOf, inRttFolder, projectFolderOf } from "./project-folder.ts";

/** Name/stat heuristics (ADR 0026). */
export const IPC_SCORE = 0.6;

const SCHEMA_SUFFIX = ".schema.json";

type IpcFact =
  | { readonly kind: "fifo" | "socket" | "queue" }
  | { readonly kind: "schema"; readonly namespace: string };

function namedKind(name: string): "fifo" | "socket" | "queue" | "schema" | undefined {
  if (name.endsWith(".fifo")) return "fifo";
  if (name.endsWith(".sock")) return "socket";
  if (name.endsWith(".mq")) return "queue";
  if (name.endsWith(SCHEMA_SUFFIX) && name.length > SCHEMA_SUFFIX.length) return "schema";
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function claimOf(rel: string, fact: IpcFact): Discovery["contract"] {
  const name = fileNameOf(rel);
  if (fact.kind === "schema") {
    const schema = segmentOf(name.slice(0, -SCHEMA_SUFFIX.length));
    return {
      saddr: discoveredSaddr({ namespace: fact.namespace, type: "file", name: schema }),
      type: "file",
      direction: "provider",
      "x-path": name,
      "x-schema": `json://${schema}`,
    };
  }
  if (fact.kind === "queue") {
    return {
      saddr: `rtt://fs/queue/${nameFor(rel)}@1.0.0`,
      type: "queue",
      direction: "both",
      "x-path": name,
    };
  }
  return { ...fileContract(rel, fact.kind satisfies FileKind), "x-path": name };
}

export const ipcIndexer: Indexer<IpcFact & { [key: string]: JsonValue }> = {
  name: "ipc",
  revision: 1,
  wanted: { extensions: [".fifo", ".sock", ".mq", ".json"] },
  wants(entry: IndexEntry): boolean {
    return (
      (entry.kind !== "file" || namedKind(entry.name) !== undefined) && !inRttFolder(entry.rel)
    );
  },
  read(input: IndexInput) {
    if (input.kind !== "file") return [{ kind: input.kind }];
    const kind = namedKind(input.name);
    if (kind === undefined) return [];
    if (kind !== "schema") return [{ kind }];
    if (!isJsonObject(input.text())) return [];
    return [{ kind, namespace: projectFolderOf(input.rel, input.abs) }];
  },
  discover(files): Discovery[] {
    return files.flatMap(({ rel, facts }) =>
      facts.map((fact) => ({
        contract: claimOf(rel, fact),
        score: IPC_SCORE,
        provenance: { indexer: "ipc", file: rel, line: 1 },
      })),
    );
  },
};
