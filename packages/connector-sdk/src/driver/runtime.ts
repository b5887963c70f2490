/**
 * The driver runtime without any transport: the open links of one connector, and the
 * operations of the Connector service over them. `service.ts` puts gRPC in front of it;
 * `serve.ts` runs it as a driver process; `harness.ts` runs it inside a test.
 *
 * No globals: two runtimes can live in one process (the harness relies on it). One coarse
 * timer per runtime drives every link's heartbeats (one shared timer, not one per
 * lane).
 */
import { randomBytes } from "node:crypto";
import {
  type Contract,
  contractHash,
  formatSaddr,
  parseConcrete,
  RttError,
  readRouteQos,
} from "@rtt/core";
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import { callFailed } from "./connector-call.ts";
import { type CloseReport, type Connector, describeClose } from "./define-connector.ts";
import type { LaneSide } from "./lane-slots.ts";
import { Link } from "./link.ts";
import { journaledEnd, openSharedLink } from "./link-opening.ts";
import type { RouteGrant } from "./route-admission.ts";
import type { ControlAddresses, HandshakeAgreed, HandshakeAsk } from "./route-handshake.ts";
import type { RxTap } from "./rx-taps.ts";
import { SharedSources } from "./shared-sources.ts";

export interface RuntimeOptions {
  /** Heartbeat interval of outbound lanes (default 250 ms). */
  readonly heartbeatMs?: number;
  /** The driver's own diagnostics (default: stderr with the connector's name). */
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** How long Close waits for an outbound lane's EOS to be taken (default 2000 ms). */
  readonly drainMs?: number;
  /** How long one connector health() call may take (default 1000 ms). */
  readonly healthTimeoutMs?: number;
}

export interface ProbedSymbolOut {
  readonly saddr: string;
  readonly type: string;
  readonly direction: string;
  readonly contract_json: string;
  readonly contract_hash: string;
}

export interface HealthSampleOut {
  readonly link_id: string;
  readonly ok: boolean;
  readonly lag_ms: number;
  readonly err: string;
  readonly qdepth: number;
  readonly frames_in: number;
  readonly frames_out: number;
  readonly bytes_in: number;
  readonly bytes_out: number;
  readonly at_unix_ms: number;
  /** The route's admission at its source end (0 elsewhere), cumulative but for `buffered`. */
  readonly drops: number;
  readonly marked: number;
  readonly nacked: number;
  readonly buffered: number;
  /** Cumulative: messages the symbol failed (the route's errors), */
  readonly errors: number;
  /** and messages it refused as the sender's fault (4xx), counted apart. */
  readonly client_errors: number;
  /** Routes sharing the link's program (fan-out, ADR 0025), 1 alone; 0: it never shares. */
  readonly shared: number;
  /** Messages the link's symbol took and lost unacknowledged (LinkHealth.unaccounted). */
  readonly unaccounted: number;
}

function normal(saddr: string): string {
  return formatSaddr(parseConcrete(saddr));
}

export class DriverRuntime<L> {
  readonly connector: Connector<L>;
  readonly heartbeatMs: number;
  readonly #links = new Map<string, Link<L>>();
  /** Closes under way (a program draining, ADR 0024). */
  readonly #closing = new Set<Promise<CloseReport | undefined>>();
  /** Contracts from the last Probe, by normal address: what Open uses without contract_json. */
  readonly #probed = new Map<string, Contract>();
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  readonly #drainMs: number;
  readonly #healthTimeoutMs: number;
  readonly #timer: NodeJS.Timeout;
  /** Link ids are unguessable, so one host cannot close another's link by counting. */
  readonly #idPrefix = randomBytes(4).toString("hex");
  #nextId = 1;
  #disposed = false;
  /** Fan-out (ADR 0025): the handles behind the source ends of one-way routes. */
  readonly #sources: SharedSources<L>;
  /** Opens in flight: dispose() waits for them, so a link opened meanwhile is closed too. */
  readonly #opening = new Set<Promise<string>>();

  constructor(connector: Connector<L>, options: RuntimeOptions = {}) {
    this.connector = connector;
    this.heartbeatMs = Math.max(1, options.heartbeatMs ?? 250);
    this.#log =
      options.log ?? ((line) => process.stderr.write(`rtt driver ${connector.name}: ${line}\n`));
    this.#now = options.now ?? Date.now;
    this.#drainMs = options.drainMs ?? 2000;
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 1000;
    this.#sources = new SharedSources(connector, (line) => this.#log(line));
    this.#timer = setInterval(() => this.#tick(), this.heartbeatMs);
    this.#timer.unref();
  }

  get linkCount(): number {
    return this.#links.size;
  }

  /** The open links, oldest first. */
  /** Every open link, with the lanes it writes and reads now (OpenLink). */
  listLinks(): {
    link_id: string;
    saddr: string;
    outbound?: LaneAddress;
    inbound?: LaneAddress;
  }[] {
    return [...this.#links.values()].map((l) => ({ link_id: l.id, saddr: l.saddr, ...l.lanes }));
  }

  log(line: string): void {
    this.#log(line);
  }

  #tick(): void {
    for (const link of this.#links.values()) link.heartbeat();
  }

  #link(id: string): Link<L> {
    const link = this.#links.get(id);
    if (link === undefined)
      throw new RttError("RTT_ERR_DRIVER_LINK", `no open link ${JSON.stringify(id)}`, {
        hint: "the link was closed, or the driver restarted since it was opened",
      });
    return link;
  }

  async probe(root: string): Promise<ProbedSymbolOut[]> {
    let contracts: readonly Contract[];
    try {
      contracts = await this.connector.probe(root);
    } catch (error) {
      throw callFailed(this.connector.name, "probe", error);
    }
    const out: ProbedSymbolOut[] = [];
    for (const c of contracts) {
      let hash: string;
      let saddr: string;
      try {
        saddr = normal(c.saddr);
        hash = contractHash(c);
      } catch (error) {
        throw callFailed(
          this.connector.name,
          "probe",
          new Error(`returned an invalid contract ${JSON.stringify(c.saddr)}: ${String(error)}`),
        );
      }
      this.#probed.set(saddr, c);
      out.push({
        saddr,
        type: c.type,
        direction: c.direction,
        contract_json: JSON.stringify(c),
        contract_hash: hash,
      });
    }
    return out;
  }

  /**
   * Opens a link. An Open that a shutdown overtakes does not leave what the connector started
   * (an http driver's api program, a process) running: dispose() waits for it and the link is
   * closed as soon as it exists.
   */
  async open(
    saddr: string,
    contractJson: string,
    params: Readonly<Record<string, string>>,
  ): Promise<string> {
    if (this.#disposed) throw shuttingDown();
    const opening = this.#open(saddr, contractJson, params);
    this.#opening.add(opening);
    try {
      return await opening;
    } finally {
      this.#opening.delete(opening);
    }
  }

  async #open(
    saddr: string,
    contractJson: string,
    params: Readonly<Record<string, string>>,
  ): Promise<string> {
    const wanted = normal(saddr);
    let contract: Contract | undefined;
    if (contractJson !== "") {
      try {
        contract = JSON.parse(contractJson) as Contract;
      } catch (error) {
        throw new RttError(
          "RTT_ERR_DOC_SYNTAX",
          `Open: contract_json is not JSON: ${String(error)}`,
        );
      }
      if (typeof contract?.saddr !== "string" || normal(contract.saddr) !== wanted)
        throw new RttError(
          "RTT_ERR_SADDR_FORM",
          `Open: contract_json is for ${JSON.stringify(contract?.saddr)}, not ${wanted}`,
        );
    } else {
      contract = this.#probed.get(wanted);
      if (contract === undefined)
        throw new RttError("RTT_ERR_DRIVER_LINK", `Open: no contract for ${wanted}`, {
          hint: "send contract_json, or Probe first so the driver knows the symbol",
        });
    }
    // The route's QoS is the runtime's (admission at the route's source), not the connector's.
    const route = readRouteQos(params);
    const isSource = route.source !== undefined && normal(route.source) === wanted;
    const id = `${this.#idPrefix}-${this.#nextId++}`;
    const qos = isSource ? route.qos : undefined;
    let link: Link<L>;
    if (route.fanout === true) {
      link = await openSharedLink(
        this.#sources,
        { id, saddr: wanted, contract, route, qos },
        this.#log,
      );
    } else {
      const journaled = journaledEnd(id, wanted, isSource, route, this.#log);
      let handle: L;
      try {
        const context = isSource ? { ...journaled.context, source: true } : journaled.context;
        handle = await this.connector.open(contract, route.params, context);
      } catch (error) {
        journaled.route.journal?.close();
        journaled.route.delivered?.close();
        throw callFailed(this.connector.name, "open", error);
      }
      link = new Link(id, contract, handle, this.connector, (l) => this.#log(l), {
        ...(qos === undefined ? {} : { qos }),
        ...journaled.route,
      });
    }
    if (this.#disposed) {
      await link.close(this.#drainMs).catch((error: unknown) => {
        this.#log(`link ${id}: closing it after a shutdown failed: ${String(error)}`);
      });
      throw shuttingDown();
    }
    this.#links.set(id, link);
    return id;
  }

  bind(
    linkId: string,
    inbound: LaneAddress | undefined,
    outbound: LaneAddress | undefined,
  ): Promise<{ inbound_bound: boolean; outbound_bound: boolean }> {
    return this.#link(linkId).bind(inbound, outbound);
  }

  /** Listens for one side of a link; the side is bound once the peer connects. */
  offer(linkId: string, side: LaneSide, kind: LaneKind, capacity?: number): Promise<LaneAddress> {
    return this.#link(linkId).offer(side, kind, capacity);
  }

  /**
   * Offers the link's inbound side and answers the route's QuickConnect handshake on control
   * lanes of its own (see route-handshake.ts): the target end of a route, in PREPARE.
   */
  offerWithHandshake(
    linkId: string,
    kind: LaneKind,
    capacity?: number,
    grant?: RouteGrant,
  ): Promise<{ address: LaneAddress; control: ControlAddresses }> {
    return this.#link(linkId).offerWithHandshake(kind, capacity, grant);
  }

  /** Runs the route's handshake as its initiator: the source end of a route, in PREPARE. */
  handshake(linkId: string, ask: HandshakeAsk): Promise<HandshakeAgreed> {
    return this.#link(linkId).handshake(ask);
  }

  /** Moves a link's outbound to `outbound`; none parks it (see Link.switchOutbound). */
  switchOutbound(
    linkId: string,
    outbound: LaneAddress | undefined,
  ): Promise<{ old_eos_seq: number; old_frames: number }> {
    return this.#link(linkId).switchOutbound(outbound);
  }

  /** Bounds a link's outbound (a half-open trial); 0 lifts it (see Link.throttle). */
  throttle(linkId: string, perWindow: number, windowMs: number): void {
    this.#link(linkId).throttle(perWindow, windowMs);
  }

  tx(linkId: string, bytes: Uint8Array, correlation = 0): Promise<void> {
    return this.#link(linkId).tx(bytes, correlation);
  }

  tap(linkId: string, tap: RxTap): () => void {
    return this.#link(linkId).addTap(tap);
  }

  /**
   * True when the link was open. Idempotent: closing an unknown link is not an error.
   * `detach` leaves the link's program adoptable (see ConnectorSpec.close).
   */
  async close(linkId: string, detach = false): Promise<boolean> {
    return (await this.closeLink(linkId, detach)).closed;
  }

  /** `close`, with what the connector reported of the link's program's end (ADR 0024). */
  async closeLink(
    linkId: string,
    detach = false,
  ): Promise<{ closed: boolean; report?: CloseReport }> {
    const link = this.#links.get(linkId);
    if (link === undefined) return { closed: false };
    this.#links.delete(linkId);
    const closing = link.close(this.#drainMs, { detach });
    // A program being drained is waited for at dispose, like the links still open.
    this.#closing.add(closing);
    const report = await closing.finally(() => this.#closing.delete(closing));
    if (report !== undefined) this.#log(`link ${linkId}: ${describeClose(report)}`);
    return report === undefined ? { closed: true } : { closed: true, report };
  }

  async closeAll(): Promise<number> {
    const ids = [...this.#links.keys()];
    await Promise.all(ids.map((id) => this.close(id)));
    return ids.length;
  }

  /** QuickConnect control lanes and handshakes in flight, over every link (tests, leaks). */
  get handshakesActive(): number {
    let n = 0;
    for (const link of this.#links.values()) n += link.handshakesActive;
    return n;
  }

  hasLink(linkId: string): boolean {
    return this.#links.has(linkId);
  }

  /** One sample per link (or of one link), plus a driver sample when `driverSample`. */
  async samples(linkId: string, driverSample: boolean): Promise<HealthSampleOut[]> {
    const links = linkId === "" ? [...this.#links.values()] : [this.#link(linkId)];
    const at = this.#now();
    const out: HealthSampleOut[] = [];
    if (driverSample) {
      out.push({
        link_id: "",
        ok: true,
        lag_ms: 0,
        err: "",
        qdepth: 0,
        frames_in: 0,
        frames_out: 0,
        bytes_in: 0,
        bytes_out: 0,
        at_unix_ms: at,
        drops: 0,
        marked: 0,
        nacked: 0,
        buffered: 0,
        errors: 0,
        client_errors: 0,
        shared: 0,
        unaccounted: 0,
      });
    }
    const healths = await Promise.all(links.map((l) => l.health(this.#healthTimeoutMs)));
    links.forEach((link, i) => {
      const h = healths[i] ?? {
        ok: false,
        lag_ms: 0,
        err: "no sample",
        errors: 0,
        client_errors: 0,
        unaccounted: 0,
      };
      const admission = link.admission;
      out.push({
        link_id: link.id,
        ok: h.ok,
        lag_ms: h.lag_ms,
        err: h.err,
        qdepth: link.qdepth,
        frames_in: link.counters.framesIn,
        frames_out: link.counters.framesOut,
        bytes_in: link.counters.bytesIn,
        bytes_out: link.counters.bytesOut,
        at_unix_ms: at,
        drops: admission?.dropped ?? 0,
        marked: admission?.marked ?? 0,
        nacked: admission?.nacked ?? 0,
        buffered: admission?.buffered ?? 0,
        errors: h.errors,
        client_errors: h.client_errors,
        shared: link.sharedBy,
        unaccounted: h.unaccounted,
      });
    });
    return out;
  }

  /** Closes every link and stops the heartbeat timer; the runtime is done after this. */
  async dispose(): Promise<number> {
    if (this.#disposed) return 0;
    this.#disposed = true;
    clearInterval(this.#timer);
    // Bounded: a connector's open that hangs must not keep the driver from exiting.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#opening]),
      new Promise((r) => {
        timer = setTimeout(r, this.#drainMs);
      }),
    ]);
    clearTimeout(timer);
    const n = await this.closeAll();
    await Promise.allSettled([...this.#closing]);
    return n;
  }
}

function shuttingDown(): RttError {
  return new RttError("RTT_ERR_DRIVER_LINK", "Open: the driver is shutting down");
}
