/**
 * Writers a source link connected ahead of time (docs/design.md §The life of a route: flip): once a
 * route's handshake agreed on a target's data lane, the source connects a writer to it right away
 * and keeps it idle here, so the Bind (apply's flip) or Switch (QuickConnect) that later moves the
 * outbound there swaps writers instead of connecting — on shm that saves mapping the segment
 * and the doorbell connect, most of a warm flip's time in the driver.
 *
 * Nothing is written on a standby writer until it is taken. One per lane address; a standby
 * whose peer goes away (the spare was closed) is dropped.
 */
import { errorMessage } from "@rtt/core";
import { connectWriter, type LaneAddress, type LaneWriter } from "@rtt/fabric";

/** One lane address as a map key: where the lane is (`batches` is its reader's, not a place). */
export const laneAddressKey = ({ batches: _, ...where }: LaneAddress): string =>
  JSON.stringify(where);

export class StandbyWriters {
  readonly #byAddress = new Map<string, { writer: LaneWriter; onError: () => void }>();
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  /** Connects a standby writer to `address` (once); a failure only logs: a later Bind connects. */
  async connect(address: LaneAddress): Promise<void> {
    const key = laneAddressKey(address);
    if (this.#byAddress.has(key)) return;
    let writer: LaneWriter;
    try {
      writer = await connectWriter(address);
    } catch (error) {
      this.#log(`standby writer to ${key}: ${errorMessage(error)}`);
      return;
    }
    if (this.#byAddress.has(key)) return writer.destroy(); // a concurrent connect won
    const onError = () => {
      if (this.#byAddress.get(key)?.writer !== writer) return;
      this.#byAddress.delete(key);
      writer.destroy();
    };
    writer.on("error", onError);
    this.#byAddress.set(key, { writer, onError });
  }

  /** The standby writer to `address`, handed over (no longer kept here); else a new one. */
  take(address: LaneAddress): Promise<LaneWriter> {
    const key = laneAddressKey(address);
    const standby = this.#byAddress.get(key);
    if (standby === undefined) return connectWriter(address);
    this.#byAddress.delete(key);
    standby.writer.off("error", standby.onError);
    return Promise.resolve(standby.writer);
  }

  /** Drops every standby writer (the link closes). */
  destroyAll(): void {
    for (const { writer } of this.#byAddress.values()) writer.destroy();
    this.#byAddress.clear();
  }

  get size(): number {
    return this.#byAddress.size;
  }
}
