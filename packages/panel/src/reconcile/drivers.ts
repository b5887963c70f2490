/**
 * What the reconciler needs from connector drivers, and the contract it sends them. A
 * `DriverHost` (a real driver process) and an in-process driver's `DriverClient` both satisfy
 * `DriverCalls`, so the same reconciler runs the panel daemon, the tests and the benchmark.
 */
import type {
  ControlAddresses,
  HandshakeAgreed,
  HandshakeOptions,
  HealthSample,
  ListedLink,
  OfferGrant,
  ServerStream,
} from "@rtt/connector-sdk";
import {
  ALLOW_PATHS_KEY,
  type CatalogSymbol,
  LAUNCH_LABEL_KEYS,
  type LaneKind,
  type Launch,
  launchExtensions,
  launchOf,
  RttError,
} from "@rtt/core";
import type { LaneAddress } from "@rtt/fabric";

/** A link's program's end, as its driver reported it at Close (ADR 0024). */
export interface ProgramDrain {
  /** "exited", "terminated" or "killed". */
  readonly ended: string;
  /** -1: none (a signal ended it, or it was not the driver's child). */
  readonly code: number;
  /** The signal that ended it, or "". */
  readonly signal: string;
  readonly frames: number;
  /** Of those, the ones no program acknowledged. */
  readonly unaccounted: number;
  readonly drain_ms: number;
}

export interface DriverCalls {
  /**
   * The lane kinds the driver declared (GetInfo's `lanes`, ADR 0031); undefined = not known
   * (an in-process driver, or one not running): any kind is tried.
   */
  readonly lanes?: readonly LaneKind[] | undefined;
  open(
    saddr: string,
    options: {
      readonly contract: string;
      /** The catalog's contract hash of the symbol (OpenRequest.contract_hash). */
      readonly contractHash?: string;
      readonly params: Readonly<Record<string, string>>;
    },
  ): Promise<string>;
  offer(linkId: string, side: "inbound" | "outbound", kind: LaneKind): Promise<LaneAddress>;
  /**
   * The target listens for the route's data lane and for its QuickConnect control lanes;
   * `grant` names the route and the key its route token is checked with (ADR 0018).
   */
  offerWithHandshake(
    linkId: string,
    kind: LaneKind,
    options?: { readonly grant?: OfferGrant },
  ): Promise<{ address: LaneAddress; control: ControlAddresses }>;
  /** The source runs SYN → ACK → BIND → READY with the target; nothing flows yet. */
  handshake(linkId: string, ask: HandshakeOptions): Promise<HandshakeAgreed>;
  bind(
    linkId: string,
    lanes: { readonly inbound?: LaneAddress; readonly outbound?: LaneAddress },
  ): Promise<unknown>;
  /** `detach` leaves the link's program adoptable by the next link of its route end. */
  close(linkId: string, detach?: boolean): Promise<boolean>;
  /**
   * `close`, with how the link's program ended when its driver runs one (ADR 0024); the call
   * may last `drainMs` more than others, while the program finishes.
   */
  closeLink(
    linkId: string,
    detach?: boolean,
    drainMs?: number,
  ): Promise<{ closed: boolean; drain?: ProgramDrain }>;
  /** Bounds a link's outbound to `perWindow` chunks every `windowMs`; 0 lifts it. */
  throttle(linkId: string, perWindow: number, windowMs: number): Promise<void>;
  /**
   * Moves a link's outbound lane at a frame boundary; the old lane gets EOS after its frames.
   * `undefined` parks the outbound (a held route): chunks wait at the source.
   */
  switch(
    linkId: string,
    outbound: LaneAddress | undefined,
  ): Promise<{ oldEosSeq: number; oldFrames: number }>;
  /** Health samples of a link (or of every link with no id) every interval, until cancelled. */
  health(options: {
    readonly linkId?: string;
    readonly intervalMs?: number;
  }): ServerStream<HealthSample>;
  /** The driver's open links: what a restarted panel checks against its routes. */
  listLinks(): Promise<readonly ListedLink[]>;
}

/** One health sample of a link, or undefined when its driver does not answer in `timeoutMs`. */
export async function sampleLink(
  driver: DriverCalls,
  linkId: string,
  timeoutMs = 1000,
): Promise<HealthSample | undefined> {
  const stream = driver.health({ linkId, intervalMs: 50 });
  const timer = setTimeout(() => stream.cancel(), timeoutMs);
  try {
    for await (const sample of stream) if (sample.link_id === linkId) return sample;
    return undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    stream.cancel();
  }
}

/**
 * A Switch, asked once more when its answer did not come in time. The driver may have moved
 * the outbound already: closing the new target then would cut off the lane the source writes
 * to. A Switch repeated to where the last one moved answers the first one's result (see the
 * SDK's Link.switchOutbound), and one that never arrived is made now; a second timeout fails.
 */
export async function switchOutbound(
  driver: DriverCalls,
  linkId: string,
  outbound: LaneAddress | undefined,
): ReturnType<DriverCalls["switch"]> {
  try {
    return await driver.switch(linkId, outbound);
  } catch (error) {
    if (!(error instanceof RttError && error.code === "RTT_ERR_DRIVER_TIMEOUT")) throw error;
    return driver.switch(linkId, outbound);
  }
}

/** The drivers the reconciler wires through, by connector name. */
export interface DriverPool {
  /** The running driver of a connector, started on first use. */
  get(name: string): Promise<DriverCalls>;
  /** The driver if it runs now; undefined means it is gone, and its links with it. */
  running(name: string): DriverCalls | undefined;
  /** The names of the drivers running now. */
  names(): readonly string[];
}

/**
 * Whether the drivers at both of a route's ends run now: a wired route's two links, or an
 * edge's two ends.
 */
export function bothDriversRun(
  pool: Pick<DriverPool, "running">,
  ends: { readonly from: { readonly driver: string }; readonly to: { readonly driver: string } },
): boolean {
  return pool.running(ends.from.driver) !== undefined && pool.running(ends.to.driver) !== undefined;
}

/** One end of a wired edge: which driver holds which link. */
export interface LinkRef {
  readonly driver: string;
  readonly link: string;
  /**
   * How long its program has to exit after EOF when the link closes (`x-drain-ms`, ADR 0024):
   * a target's, as planned; 0 for a source (never drained). Absent (a link named only in the
   * ledger, or journaled before it was carried): the default. Close deadlines allow for it.
   */
  readonly drain_ms?: number;
}

/** The WAL ledger's name for a link (resource kind `link`). */
export const linkResourceName = (ref: LinkRef): string => `${ref.driver}/${ref.link}`;

export function parseLinkResourceName(name: string): LinkRef | undefined {
  const slash = name.indexOf("/");
  return slash <= 0 ? undefined : { driver: name.slice(0, slash), link: name.slice(slash + 1) };
}

/**
 * The contract a driver is opened with: the catalog's view of the symbol, its manifest's label
 * `x-` keys (a stub's `x-examples`), and what runs there from `launch` — the one the plan
 * recorded for the route end, so a manifest edited after the plan cannot start another program
 * (without one, a topology committed before launches were recorded: the catalog's). `x-cwd` is
 * always set: the manifest's folder unless the manifest names another. Last, the prefixes a
 * path the driver opens must lie in (`x-allow-paths`: the workspace, then panel.yaml's
 * `security.allow_paths`; ADR 0022) — the panel's, whatever a manifest says under that key.
 */
export function contractForDriver(
  symbol: CatalogSymbol,
  root: string,
  launch?: Launch,
  allowPaths: readonly string[] = [],
): string {
  const {
    source: _source,
    contract_hash: _hash,
    launch_hash: _launch,
    signer: _signer,
    extensions,
    ...contract
  } = symbol;
  const labels = Object.entries(extensions ?? {}).filter(([k]) => LAUNCH_LABEL_KEYS.has(k));
  return JSON.stringify({
    ...contract,
    ...Object.fromEntries(labels),
    ...launchExtensions(launch ?? launchOf(symbol), root),
    [ALLOW_PATHS_KEY]: [root, ...allowPaths],
  });
}
