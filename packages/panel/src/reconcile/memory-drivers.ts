/**
 * Real drivers in this process, for the reconciler's tests, the crash test and `bench:plan`:
 * the connector SDK's in-process harness (the same runtime and gRPC service a driver process
 * runs) serving a small `memory` connector whose symbols are counters and collectors. Lanes
 * between these drivers are real in-proc lanes, so bytes move exactly as between processes.
 *
 * The memory connector's symbols, by route parameter or contract:
 * - a source (`x-emit`: N) emits N messages `"<saddr> <i>"` (i = 1..N) once bound — with
 *   `x-emit-interval-ms` one at a time, that long apart (0: yielding to the event loop between
 *   messages), so a test can move the route while it streams;
 * - any link records what it receives (`received(saddr)`), and a `req`-io target answers each
 *   request with `"re: <request>"` under the request's correlation id (`x-answer-tag` in place
 *   of `re`, to tell targets apart; `x-answer-delay-ms`: that long after it took the request,
 *   so requests are in flight while a test moves the route).
 */
import {
  defineConnector,
  type InProcessDriver,
  type RxMessage,
  startConnectorInProcess,
} from "@rtt/connector-sdk";
import type { Contract } from "@rtt/core";
import type { DriverCalls, DriverPool } from "./drivers.ts";

interface MemoryLink {
  readonly saddr: string;
  /** Pause between emitted messages; undefined = all at once. */
  readonly intervalMs: number | undefined;
  readonly answers: boolean;
  readonly tag: string;
  readonly answerDelayMs: number;
  readonly outbox: RxMessage[];
  wake: (() => void) | undefined;
  closed: boolean;
}

const receivedBy = new Map<string, string[]>();

/** What the links of `saddr` received so far (in this process). */
export function received(saddr: string): readonly string[] {
  return receivedBy.get(saddr) ?? [];
}

export function clearReceived(): void {
  receivedBy.clear();
}

function push(link: MemoryLink, message: RxMessage): void {
  link.outbox.push(message);
  link.wake?.();
}

export const memoryConnector = defineConnector<MemoryLink>({
  name: "memory",
  version: "0.1.0",
  probe: () => [],
  open(symbol: Contract) {
    const extra = symbol as Contract & {
      "x-emit"?: number;
      "x-emit-interval-ms"?: number;
      "x-answer-tag"?: string;
      "x-answer-delay-ms"?: number;
    };
    const emit = Number(extra["x-emit"] ?? 0);
    const interval = extra["x-emit-interval-ms"];
    const link: MemoryLink = {
      saddr: symbol.saddr,
      intervalMs: interval === undefined ? undefined : Number(interval),
      answers: symbol.io === "req" && symbol.direction === "provider",
      tag: extra["x-answer-tag"] ?? "re",
      answerDelayMs: Number(extra["x-answer-delay-ms"] ?? 0),
      outbox: [],
      wake: undefined,
      closed: false,
    };
    for (let i = 1; i <= emit; i++)
      link.outbox.push({ payload: Buffer.from(`${symbol.saddr} ${i}`), correlation: i });
    return link;
  },
  tx(link, bytes, { correlation }) {
    const text = Buffer.from(bytes).toString();
    const list = receivedBy.get(link.saddr) ?? [];
    list.push(text);
    receivedBy.set(link.saddr, list);
    if (!link.answers) return;
    const answer = { payload: Buffer.from(`${link.tag}: ${text}`), correlation };
    if (link.answerDelayMs === 0) push(link, answer);
    else setTimeout(() => push(link, answer), link.answerDelayMs).unref();
  },
  async *rx(link) {
    for (;;) {
      const next = link.outbox.shift();
      if (next !== undefined) {
        yield next;
        if (link.intervalMs !== undefined)
          await new Promise((r) =>
            link.intervalMs === 0 ? setImmediate(r) : setTimeout(r, link.intervalMs),
          );
        continue;
      }
      if (link.closed) return;
      await new Promise<void>((resolve) => {
        link.wake = resolve;
      });
      link.wake = undefined;
    }
  },
  close(link) {
    link.closed = true;
    link.wake?.();
  },
  health: () => ({ ok: true, lag_ms: 0 }),
});

/** Drivers named like the reference connectors, each an in-process memory driver. */
export class MemoryPool implements DriverPool {
  readonly #drivers = new Map<string, Promise<InProcessDriver<MemoryLink>>>();
  readonly #ready = new Map<string, InProcessDriver<MemoryLink>>();
  readonly #socketDir: string | undefined;

  /** `socketDir`: where the drivers' sockets go (a process that may be SIGKILLed passes its own). */
  constructor(options: { readonly socketDir?: string } = {}) {
    this.#socketDir = options.socketDir;
  }

  get(name: string): Promise<DriverCalls> {
    let d = this.#drivers.get(name);
    if (d === undefined) {
      // A short drain: at close both ends go at once, so an EOS may have no reader left to take it.
      d = startConnectorInProcess(memoryConnector, {
        drainMs: 100,
        ...(this.#socketDir === undefined ? {} : { socketDir: this.#socketDir }),
      }).then((driver) => {
        this.#ready.set(name, driver);
        return driver;
      });
      this.#drivers.set(name, d);
    }
    return d.then((driver) => driver.client);
  }

  running(name: string): DriverCalls | undefined {
    return this.#ready.get(name)?.client;
  }

  names(): string[] {
    return [...this.#ready.keys()].sort();
  }

  /** Open links per driver: what a rollback must bring back to the old count. */
  linkCounts(): Record<string, number> {
    return Object.fromEntries(
      [...this.#ready]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([n, d]) => [n, d.runtime.linkCount]),
    );
  }

  async close(): Promise<void> {
    const all = await Promise.all(this.#drivers.values());
    await Promise.all(all.map((d) => d.close()));
    this.#drivers.clear();
    this.#ready.clear();
  }
}
