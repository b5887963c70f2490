/**
 * Fan-out (ADR 0025): the shared handles of one driver, by source — symbol, contract (with its
 * launch), the params its connector reads (ConnectorSpec.params), and whether its routes are
 * journaled. A handle is kept as a promise, so two Opens at once share too. Journaled ones write
 * through a journal tee (journal-tee.ts) and run in a state directory of their own, by source.
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
import { SharedSource, type SourceMember } from "./shared-source.ts";

/** A route's place on a shared handle: its member queue, the connector its link uses. */
export interface SharedEntry<L> {
  readonly shared: SharedSource<L>;
  readonly member: SourceMember;
  readonly connector: Connector<L>;
  readonly teeMember?: TeeMember;
}

export class SharedSources<L> {
  readonly #connector: Connector<L>;
  readonly #log: (line: string) => void;
  readonly #sources = new Map<string, Promise<SharedSource<L>>>();

  constructor(connector: Connector<L>, log: (line: string) => void) {
    this.#connector = connector;
    this.#log = log;
  }

  /** Of `params`, those the connector says `open` reads (all when it does not say). */
  #read(params: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const read = this.#connector.params;
    if (read === undefined) return params;
    return Object.fromEntries(Object.entries(params).filter(([k]) => read.includes(k)));
  }

  /**
   * The shared handle for `saddr` opened with `contract` and `params`: the running one, or a new
   * one. One that is closing (its last route left) or whose rx ended is not joined: a new one
   * opens, and the old one goes with its last route. Journaled routes (`journalDir`) share among
   * themselves only: their program writes through a tee into each one's `journal`, and lives in
   * a state directory keyed by the source, not by any one route (`.rtt/run/sources/<key>/`).
   * The route's member (`paces`: SharedSource.join) is made in the same turn as its tee member,
   * so no chunk the reader hands out in between is journaled for it and not queued.
   */
  async acquire(
    saddr: string,
    contract: Contract,
    params: Readonly<Record<string, string>>,
    journalDir: string | undefined,
    journal: RouteJournal | undefined,
    paces: boolean,
  ): Promise<SharedEntry<L>> {
    const journaled = journalDir !== undefined;
    const key = canonicalHash({ saddr, contract, params: this.#read(params), journaled });
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
        return enter(shared, journal === undefined ? undefined : shared.tee?.join(journal), paces);
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
      return enter(await opening, teeMember, paces);
    } catch (error) {
      if (this.#sources.get(key) === opening) this.#sources.delete(key);
      throw error;
    }
  }
}

/** Joins a route to `shared`: its queue sees only its own messages, its backlog first. */
function enter<L>(
  shared: SharedSource<L>,
  teeMember: TeeMember | undefined,
  paces: boolean,
): SharedEntry<L> {
  const { member, connector } = shared.join(paces);
  if (shared.tee !== undefined) member.map = (item) => memberItem(item, teeMember);
  if (teeMember === undefined) return { shared, member, connector };
  member.prefill(teeMember.takeBacklog());
  return { shared, member, connector, teeMember };
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
