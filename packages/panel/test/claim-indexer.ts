/**
 * Test-only indexers (never in the registry), to drive the scanner's indexer machinery without
 * depending on a real one:
 * - `claims` reads `*.claim` files, one JSON claim per line:
 *   `{"name","score","type"?,"caps"?,"run"?,"ns"?,"x"?}`; a line `throw` makes `read` throw an
 *   RttError at that line, `crash` a plain Error, `bad` a claim that is no valid contract;
 * - `pipes` claims every FIFO and socket as a `queue`, without opening it.
 * Both count their `read` calls per file, so a test can tell a cached scan from a cold one.
 */
import { type JsonValue, RttError } from "@rtt/core";
import type { Discovery, Indexer } from "../src/scan/indexers/indexer.ts";

interface ClaimLine {
  readonly name: string;
  readonly score: number;
  readonly type?: string;
  readonly caps?: string[];
  readonly run?: string[];
  readonly ns?: string;
  readonly x?: Record<string, JsonValue>;
  readonly line: number;
}

export function claimIndexer(name = "claims"): Indexer & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    name,
    revision: 1,
    reads,
    wants: (e) => e.kind === "file" && e.name.endsWith(".claim"),
    read(input) {
      reads.set(input.rel, (reads.get(input.rel) ?? 0) + 1);
      const facts: JsonValue[] = [];
      input
        .text()
        .split("\n")
        .forEach((text, i) => {
          const line = i + 1;
          if (text.trim() === "") return;
          if (text === "throw")
            throw new RttError("RTT_ERR_DOC_SYNTAX", "unexpected token", {
              position: { file: input.rel, line, column: 3 },
            });
          if (text === "crash") throw new Error("boom");
          if (text === "bad") {
            facts.push({ name: "bad", score: 0.5, type: "nonsense", line });
            return;
          }
          facts.push({ ...(JSON.parse(text) as Record<string, JsonValue>), line });
        });
      return facts;
    },
    discover(files) {
      return files.flatMap(({ rel, facts }) =>
        (facts as unknown as ClaimLine[]).map(
          (f): Discovery => ({
            contract: {
              saddr: `rtt://${f.ns ?? "claims"}/${f.type ?? "proc"}/${f.name}@0.0.0`,
              type: (f.type ?? "proc") as Discovery["contract"]["type"],
              direction: "provider",
              ...(f.caps === undefined ? {} : { capabilities: f.caps }),
              ...(f.run === undefined ? {} : { "x-run": f.run, "x-cwd": "." }),
              ...(f.x ?? {}),
            },
            score: f.score,
            provenance: { indexer: name, file: rel, line: f.line },
          }),
        ),
      );
    },
  };
}

export function pipeIndexer(): Indexer & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    name: "pipes",
    revision: 1,
    reads,
    wants: (e) => e.kind === "fifo" || e.kind === "socket",
    read(input) {
      reads.set(input.rel, (reads.get(input.rel) ?? 0) + 1);
      return [{ name: input.name, head: input.head().length }];
    },
    discover(files) {
      return files.map(({ rel }) => ({
        contract: {
          saddr: `rtt://pipes/queue/${rel.replace(/[^a-z0-9]+/g, "-")}@0.0.0`,
          type: "queue",
          direction: "both",
          "x-path": rel.slice(rel.lastIndexOf("/") + 1),
        },
        score: 0.6,
        provenance: { indexer: "pipes", file: rel, line: 1 },
      }));
    },
  };
}
