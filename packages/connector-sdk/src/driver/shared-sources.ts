/**
 * Fan-out (ADR 0025): the shared handles of one driver, by source — symbol, contract (with its
 * launch), params, and whether its routes are journaled. A handle is kept as a promise, so two
 * Opens at once share too. Journaled ones write through a journal tee (journal-tee.ts) and run in
 * a state directory of their own, by source.
 */
import { basename, dirname, join } from "node:path";
import { type Contract, canonicalHash } from "@rtt/core";
import { writeFileAtomic } from "../files/atomic-write.ts";
import { PRIVATE_FILE_MODE, privateDir } from "../files/private-state.ts";
import { refuseLinks } from "../state-files.ts";
import { callFailed } from "./connector-call.ts";
import type { Connector, OpenContext, RxMessage } from "./define-connector.ts";
import { JournalTee, type TeeMember } from "./journal-tee.ts";
import type { RouteJournal } from "./route-journal.ts";
import { SharedSource } from "./shared-source.ts";

export class SharedSources<L> {
  readonly #connector: Connector<L>;
  readonly #log: (line: string) => void;
  readonly #sources = new Map<string, Promise<SharedSource<L>>>();

  constructor(connector: Connector<L>, log: (line: string) => void) {
    this.#connector = connector;
    this.#log = log;
  }

  /**
   * The shared handle for `saddr` opened with `contract` and `params`: the running one, or a new
   * one. One that is closing (its last route left) or whose rx ended is not joined: a new one
   * opens, and the old one goes with its last route. Journaled routes (`journalDir`) share among
   * themselves only: their program writes through a tee into each one's `journal`, and lives in
   * a state directory keyed by the source, not by any one route (`.rtt/run/sources/<key>/`).
   */
  async acquire(
    saddr: string,
    contract: Contract,
    params: Readonly<Record<string, string>>,
    journalDir: string | undefined,
    journal: RouteJournal | undefined,
  ): Promise<{ shared: SharedSource<L>; teeMember?: TeeMember }> {
    const journaled = journalDir !== undefined;
    const key = canonicalHash({ saddr, contract, params, journaled });
    if (journalDir !== undefined)
      writeFileAtomic(
        join(journalDir, SHARED_SOURCE_FILE),
        sourceFolder(key),
        PRIVATE_FILE_MODE,
        false,
      );
    for (;;) {
      const pending = this.#sources.get(key);
      if (pending === undefined) break;
      const shared = await pending.catch(() => undefined);
      if (shared !== undefined && !shared.closed && !shared.ended) {
        const teeMember = journal === undefined ? undefined : shared.tee?.join(journal);
        return teeMember === undefined ? { shared } : { shared, teeMember };
      }
      if (this.#sources.get(key) === pending) this.#sources.delete(key);
    }
    const tee = journaled ? new JournalTee((l) => this.#log(l)) : undefined;
    const teeMember = journal === undefined ? undefined : tee?.join(journal);
    const opening = (async () => {
      let handle: L;
      try {
        const context: OpenContext =
          tee === undefined || journalDir === undefined
            ? { source: true }
            : { source: true, journal: tee, stateDir: sharedStateDir(journalDir, key) };
        handle = await this.#connector.open(contract, params, context);
      } catch (error) {
        teeMember?.leave();
        throw callFailed(this.#connector.name, "open", error);
      }
      const shared: SharedSource<L> = new SharedSource(
        key,
        handle,
        this.#connector,
        () => {
          if (this.#sources.get(key) === opening) this.#sources.delete(key);
        },
        tee,
      );
      return shared;
    })();
    this.#sources.set(key, opening);
    try {
      const shared = await opening;
      return teeMember === undefined ? { shared } : { shared, teeMember };
    } catch (error) {
      if (this.#sources.get(key) === opening) this.#sources.delete(key);
      throw error;
    }
  }
}

/**
 * A chunk of a journaled shared source as one route sees it: its correlation id in that route's
 * journal, or nothing when it ended before the route joined. A route whose journal another link
 * held (`member` undefined) runs unjournaled: no correlation id to mark.
 */
export function memberItem(
  item: Uint8Array | RxMessage,
  member: TeeMember | undefined,
): Uint8Array | RxMessage | undefined {
  if (item instanceof Uint8Array) return item;
  if (member === undefined) return item.payload;
  const correlation = member.correlation(item.correlation);
  return correlation === undefined ? undefined : { payload: item.payload, correlation };
}

/**
 * The file in a journaled route's folder naming the `sources/` folder of the shared program it
 * reads (ADR 0025): a panel start forgets the folders no committed route names.
 */
export const SHARED_SOURCE_FILE = "shared-source";

function sourceFolder(key: string): string {
  return key.slice(0, 16);
}

/**
 * Where a shared journaled program lives: beside the routes' journals, under `sources/`, keyed
 * by the source (symbol, launch, params), so no one route's deletion takes it (ADR 0025). The
 * panel's journals are `.rtt/run/routes/<id>`, so that is `.rtt/run/sources/<key>`; a journal
 * elsewhere (a test's) gets `sources/` beside it, never further up than its own parent.
 */
function sharedStateDir(journalDir: string, key: string): string {
  const parent = dirname(journalDir);
  const runDir = basename(parent) === "routes" ? dirname(parent) : parent;
  const dir = join(runDir, "sources", sourceFolder(key));
  refuseLinks(dir);
  privateDir(dir);
  return dir;
}
