/**
 * What the parts of one link (link.ts) share: its id and log, whether it is closed, the
 * "something changed" signal the outbound pump waits on, its counters, and the problem of its
 * lanes for the next health sample. Each part keeps its own state; this is only the common
 * ground they all read or report to.
 */
import { RttError } from "@rtt/core";
import type { LaneSide } from "./lane-slots.ts";

export type LinkLog = (line: string) => void;

export interface LinkCounters {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  heartbeatsOut: number;
  txErrors: number;
}

/**
 * "Something changed" (a Bind, Switch, tap or close) for whoever waits. Listeners are removed
 * as soon as they fire or stop waiting, so a pump that waits for 'drain' a million times does
 * not pile up a million callbacks on a promise that may never settle.
 */
class Signal {
  readonly #listeners = new Set<() => void>();
  /** Resolves at the next `fire()`, or when `other` settles, whichever is first. */
  waitOr(other?: Promise<unknown>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#listeners.delete(done);
        resolve();
      };
      this.#listeners.add(done);
      other?.then(done, done);
    });
  }
  fire(): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}

export class LinkScope {
  readonly id: string;
  readonly log: LinkLog;
  /** A Bind, Switch, tap, throttle or close: the outbound pump looks again. */
  readonly changed = new Signal();
  readonly counters: LinkCounters = {
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
    heartbeatsOut: 0,
    txErrors: 0,
  };
  #closed = false;
  /**
   * The latest lane problem, and the side it is on, to report in the next health sample; it
   * stays until a re-bind (an outbound one: until the outbound moves).
   */
  #laneError: { readonly side: LaneSide; readonly problem: string } | undefined;

  constructor(id: string, log: LinkLog) {
    this.id = id;
    this.log = log;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The link is closed from here on; whoever waits on `changed` wakes to see it. */
  markClosed(): void {
    this.#closed = true;
    this.changed.fire();
  }

  assertOpen(): void {
    if (this.#closed)
      throw new RttError("RTT_ERR_DRIVER_LINK", `link ${this.id} is closed`, {
        hint: "open the symbol again",
      });
  }

  get laneError(): string | undefined {
    return this.#laneError?.problem;
  }

  /** A lane of `side` failed; `problem` says so for health ("inbound lane: …", …). */
  laneFailed(side: LaneSide, problem: string): void {
    this.#laneError = { side, problem };
  }

  /** The outbound moved (a lane taken, or parked): an old outbound lane's problem is over. */
  outboundMoved(): void {
    if (this.#laneError?.side === "outbound") this.#laneError = undefined;
  }
}
