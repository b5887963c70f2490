/**
 * Warm spares (ADR 0013): target links the panel keeps open while no route
 * uses them, so that moving a route onto one starts no program and opens no link. An *armed*
 * spare has also offered its lane to one route's source link and run the handshake with it, so a
 * swap to it is the Switch and the commit only. Two kinds:
 *
 *   retired    a target a swap moved away from, kept for `ttlMs` for a swap back.
 *   prebound   the next target of a route's failover set, opened ahead of any failure; kept
 *              (no expiry) while that route is wired from the same source link.
 *
 * One spare per target address. This module only keeps the book; opening, arming and closing
 * links is the reconciler's (the spares' links are closed by whoever removes them from here).
 */
import type { LaneKind } from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";
import type { LinkRef } from "./drivers.ts";

/** A lane offered to one source link, the handshake with it done. */
export interface Armed {
  /** The source link's resource name. */
  readonly source: string;
  readonly lane: LaneKind;
  readonly address: LaneAddress;
}

export interface Spare {
  readonly ref: LinkRef;
  /**
   * Armed for one source link; "spent": arming failed, so an offer may be pending on the link
   * (close it rather than reuse it); undefined: a plain open link.
   */
  readonly armed: Armed | "spent" | undefined;
  /** The route a prebound spare stands by for; undefined for a retired target (it expires). */
  readonly prebound?: string;
}

export function isArmedFor(
  spare: Spare,
  source: string,
  lane: LaneKind,
): spare is Spare & {
  readonly armed: Armed;
} {
  return (
    typeof spare.armed === "object" && spare.armed.source === source && spare.armed.lane === lane
  );
}

export class WarmSpares {
  readonly #ttlMs: number;
  readonly #expired: (ref: LinkRef) => void;
  readonly #bySaddr = new Map<string, { spare: Spare; timer: NodeJS.Timeout | undefined }>();

  /** `expired` gets a retired spare's link once its time is up (it is no longer kept here). */
  constructor(ttlMs: number, expired: (ref: LinkRef) => void) {
    this.#ttlMs = ttlMs;
    this.#expired = expired;
  }

  get(saddr: string): Spare | undefined {
    return this.#bySaddr.get(saddr)?.spare;
  }

  /** Keeps `spare` as the one for `saddr`; returns the spare it displaced, for the caller to close. */
  keep(saddr: string, spare: Spare): Spare | undefined {
    const displaced = this.take(saddr);
    let timer: NodeJS.Timeout | undefined;
    if (spare.prebound === undefined) {
      timer = setTimeout(() => {
        if (this.#bySaddr.get(saddr)?.spare !== spare) return;
        this.#bySaddr.delete(saddr);
        this.#expired(spare.ref);
      }, this.#ttlMs);
      timer.unref();
    }
    this.#bySaddr.set(saddr, { spare, timer });
    return displaced?.ref === spare.ref ? undefined : displaced;
  }

  /** Removes and returns the spare for `saddr`. */
  take(saddr: string): Spare | undefined {
    const entry = this.#bySaddr.get(saddr);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.#bySaddr.delete(saddr);
    return entry.spare;
  }

  /** Removes and returns every spare `drop` picks. */
  remove(drop: (spare: Spare) => boolean): Spare[] {
    const out: Spare[] = [];
    for (const [saddr, { spare }] of this.#bySaddr)
      if (drop(spare)) {
        this.take(saddr);
        out.push(spare);
      }
    return out;
  }

  values(): Spare[] {
    return [...this.#bySaddr.values()].map((e) => e.spare);
  }
}
