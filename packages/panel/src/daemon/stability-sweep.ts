/**
 * The stability sweep (docs/design.md §The life of a route: recover): while the panel runs, every
 * SWEEP_EVERY_MS it does again what start-up recovery did, against the drivers' own lists of
 * links — links no route uses are closed, routes whose links are gone are rewired to the
 * committed topology, the fallback settles tripped routes — and a WAL past COMPACT_AT_BYTES is
 * compacted.
 */
import type { Reconciler } from "../reconcile/reconciler.ts";
import type { CommittedWiring } from "./committed-wiring.ts";
import type { RouteFallback } from "./fallback.ts";

/** How often the stability sweep compares the registry with the drivers' actual links. */
const SWEEP_EVERY_MS = 5000;
/** The WAL is compacted once it is this big, keeping this many rollback targets. */
const COMPACT_AT_BYTES = 32 * 1024 * 1024;
const KEEP_COMMITS = 50;

/** Compacts the WAL once it is past COMPACT_AT_BYTES (after an apply, and with each sweep). */
export async function compactWal(
  reconciler: Pick<Reconciler, "compactWal">,
  log: (line: string) => void,
): Promise<void> {
  const removed = await reconciler.compactWal(COMPACT_AT_BYTES, KEEP_COMMITS);
  if (removed > 0) log(`compacted the WAL: ${removed} bytes of old segments removed`);
}

export interface StabilitySweepOptions {
  readonly reconciler: Reconciler;
  readonly wiring: CommittedWiring;
  readonly fallback: RouteFallback;
  readonly log: (line: string) => void;
}

export class StabilitySweep {
  readonly #o: StabilitySweepOptions;
  #timer: NodeJS.Timeout | undefined;
  /** A sweep is running (see `sweep`). */
  #sweeping = false;
  /** The sweep the timer last started: a stop waits for it. */
  #run: Promise<void> | undefined;
  /** The panel is stopping: the WAL closes under a compaction. */
  #stopped = false;

  constructor(options: StabilitySweepOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#run = this.sweep();
    }, SWEEP_EVERY_MS);
    this.#timer.unref();
  }

  /** No sweep starts from now on; one under way compacts nothing more. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  /** Resolves when the sweep the timer last started has ended. */
  async settled(): Promise<void> {
    await this.#run;
  }

  /** One sweep; none while another runs. */
  async sweep(): Promise<void> {
    // One at a time: a slow one (a handshake that times out) must not pile up behind itself.
    if (this.#sweeping) return;
    this.#sweeping = true;
    const { reconciler, wiring, fallback, log } = this.#o;
    try {
      const { orphans, broken } = await reconciler.sweep();
      if (orphans.length > 0) log(`sweep: closed orphaned link(s) ${orphans.join(", ")}`);
      if (broken.length > 0) log(`sweep: route(s) ${broken.join(", ")} lost a link; rewiring`);
      // Also what an earlier rewire failed to restore — once its drivers run again.
      if (broken.length > 0 || wiring.restorable())
        await wiring.restore(`stability sweep: committed route(s) not wired`);
    } catch (error) {
      log(`sweep failed: ${String(error)}`);
    }
    try {
      await fallback.sweep();
      // qc, failover, degrade and restore each commit too, with no apply to compact after them:
      // a route that flaps for a day must not grow the WAL (and the commits kept in memory)
      // without bound. Not once the panel is stopping: the WAL closes under it.
      if (!this.#stopped) await compactWal(reconciler, log);
    } catch (error) {
      log(`sweep failed: ${String(error)}`);
    } finally {
      this.#sweeping = false;
    }
  }
}
