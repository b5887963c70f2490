/**
 * A typed, promise-based client of one driver's Connector service. DriverHost hands one out
 * per running driver; the in-process harness hands one out too, so a test talks to a
 * connector exactly the way the panel will. Every failure is an RttError naming the driver.
 *
 * The calls on a flip's path — Switch, Bind, Offer and Health — go over the framed control
 * channel when the driver serves one (its handshake line's field 11; ADR 0029): a round trip
 * over a plain socket, where grpc-js's HTTP/2 costs a warm flip milliseconds. They fail with the
 * same RttErrors either way. Every other call, the liveness watch, and every call of a driver
 * that speaks only gRPC (the Python SDK's) go over gRPC.
 */
import type { KeyObject } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import type { Contract } from "@rtt/core";
import { asError, RttError, rawPublicKey } from "@rtt/core";
import type { LaneAddress, LaneKind } from "@rtt/fabric";
import {
  type ControlAddresses,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type HandshakeAgreed,
} from "../driver/route-handshake.ts";
import { FramedChannel } from "../framed/channel.ts";
import { connectorMethodTable } from "../framed/protobuf-methods.ts";
import type { HandshakeResponse__Output } from "../generated/rtt/connector/v1/HandshakeResponse.ts";
import type { OfferResponse__Output } from "../generated/rtt/connector/v1/OfferResponse.ts";
import type { ProgramDrain__Output } from "../generated/rtt/connector/v1/ProgramDrain.ts";
import { declaredLanes } from "../handshake/lane-kinds.ts";
import { type ServerStream, serverStream } from "../server-stream.ts";
import { callUnary, type UnaryInvocation } from "../unary.ts";
import {
  type ConnectorClient,
  connectorPackage,
  type DriverInfo,
  fromServiceError,
  grpcTarget,
  type HealthSample,
  LOCAL_CHANNEL_OPTIONS,
  laneFromWire,
  laneToWire,
  type ProbedSymbol,
  type RxChunk,
  type WireLaneAddress,
} from "../wire.ts";

export interface DriverClientOptions {
  /** Deadline of each unary call (default 10 s). */
  readonly callTimeoutMs?: number;
  /** The driver's framed control channel socket (handshake field 11), when it serves one. */
  readonly framed?: string;
}

/** A link a driver holds (ListLinks), and the lanes it writes and reads now, when it says. */
export interface ListedLink {
  readonly linkId: string;
  readonly saddr: string;
  readonly outbound?: LaneAddress;
  readonly inbound?: LaneAddress;
}

/** What the source's driver needs to run a route's handshake (DriverClient.handshake). */
export interface HandshakeOptions {
  /** The target's control lanes, as `offerWithHandshake` returned them. */
  readonly control: ControlAddresses;
  /** The target's data lane, as `offerWithHandshake` returned it: BIND carries it. */
  readonly data: LaneAddress;
  /** The target's concrete address as planned (named in errors). */
  readonly expectSaddr: string;
  /** The target's contract hash as planned; another one is RTT_ERR_QC_REFUSED. */
  readonly expectContractHash: string;
  /** Capabilities the source offers. */
  readonly caps?: readonly string[];
  /** Capabilities the target must offer. */
  readonly require?: readonly string[];
  /** Names the attempt: the same nonce again gets the same answer (default: a random one). */
  readonly nonce?: string;
  /** The handshake's deadline (default 5000 ms); the call's is this plus the usual. */
  readonly timeoutMs?: number;
  /** The route token the panel minted for this route, sent in the SYN (ADR 0018). */
  readonly routeToken?: string;
}

/** The route a target link serves, and the key its route tokens are signed with (ADR 0018). */
export interface OfferGrant {
  readonly routeId: string;
  readonly panelKey: KeyObject;
}

export type { ControlAddresses, HandshakeAgreed };

function isServiceError(e: unknown): e is grpc.ServiceError {
  return e instanceof Error && "code" in e && "metadata" in e;
}

export class DriverClient {
  readonly name: string;
  /** The driver's socket path as the handshake named it. */
  readonly address: string;
  readonly #client: ConnectorClient;
  readonly #framed: FramedChannel | undefined;
  readonly #callTimeoutMs: number;
  #lanes: readonly LaneKind[] | undefined;

  constructor(name: string, address: string, options: DriverClientOptions = {}) {
    this.name = name;
    this.address = address;
    this.#callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.#framed = options.framed === undefined ? undefined : framedChannel(name, options.framed);
    const Connector = connectorPackage().Connector;
    this.#client = new Connector(
      grpcTarget(address),
      grpc.credentials.createInsecure(),
      LOCAL_CHANNEL_OPTIONS,
    );
  }

  /** Resolves once the socket answers; RTT_ERR_DRIVER_TIMEOUT after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (error) => {
        if (error === undefined || error === null) return resolve();
        reject(
          new RttError(
            "RTT_ERR_DRIVER_TIMEOUT",
            `driver "${this.name}" does not answer on ${JSON.stringify(this.address)} after ${timeoutMs} ms`,
            { cause: error },
          ),
        );
      });
    });
  }

  #unary<Res>(
    method: string,
    call: UnaryInvocation<Res>,
    timeoutMs = this.#callTimeoutMs,
  ): Promise<Res> {
    return callUnary(call, timeoutMs, {
      failed: (error) => fromServiceError(this.name, method, error),
      empty: () =>
        new RttError("RTT_ERR_DRIVER_CALL", `driver "${this.name}": ${method}: empty answer`),
    });
  }

  /**
   * A call of a flip's path: over the framed channel when the driver serves one (`request` as
   * the gRPC call would send it), else the gRPC call `call`.
   */
  #flipCall<Res>(
    method: "Switch" | "Bind" | "Offer",
    request: object,
    call: UnaryInvocation<Res>,
    timeoutMs = this.#callTimeoutMs,
  ): Promise<Res> {
    if (this.#framed === undefined) return this.#unary(method, call, timeoutMs);
    return this.#framed.unary<Res>(method, request, timeoutMs);
  }

  /** A driver's server stream; iteration ends quietly after `cancel()`, whatever the call did. */
  #stream<T>(method: string, call: grpc.ClientReadableStream<T>): ServerStream<T> {
    return serverStream(call, (error, cancelled) => {
      if (cancelled) return undefined;
      if (isServiceError(error)) return fromServiceError(this.name, method, error);
      return asError(error);
    });
  }

  async info(): Promise<DriverInfo> {
    const info = await this.#unary<DriverInfo>("GetInfo", (o, cb) =>
      this.#client.GetInfo({}, o, cb),
    );
    this.#lanes = declaredLanes(info.lanes ?? [], `driver "${this.name}": GetInfo's lanes`);
    return info;
  }

  /**
   * The lane kinds the driver declared in its last GetInfo (ADR 0031); undefined before the
   * first. A host connects with GetInfo (the nonce check), so a started driver's are known.
   */
  get lanes(): readonly LaneKind[] | undefined {
    return this.#lanes;
  }

  async probe(root: string): Promise<ProbedSymbol[]> {
    const res = await this.#unary<{ symbols: ProbedSymbol[] }>("Probe", (o, cb) =>
      this.#client.Probe({ root }, o, cb),
    );
    return res.symbols;
  }

  async open(
    saddr: string,
    options: {
      readonly contract?: Contract | string;
      /** The symbol's contract hash as the catalog has it; the driver may skip computing it. */
      readonly contractHash?: string;
      readonly params?: Readonly<Record<string, string>>;
    } = {},
  ): Promise<string> {
    const c = options.contract;
    const contract_json = c === undefined ? "" : typeof c === "string" ? c : JSON.stringify(c);
    const contract_hash = options.contractHash ?? "";
    const res = await this.#unary<{ link_id: string }>("Open", (o, cb) =>
      this.#client.Open(
        { saddr, contract_json, contract_hash, params: { ...options.params } },
        o,
        cb,
      ),
    );
    return res.link_id;
  }

  async bind(
    linkId: string,
    lanes: { readonly inbound?: LaneAddress; readonly outbound?: LaneAddress },
  ): Promise<{ inboundBound: boolean; outboundBound: boolean }> {
    const request = {
      link_id: linkId,
      inbound: lanes.inbound === undefined ? null : laneToWire(lanes.inbound),
      outbound: lanes.outbound === undefined ? null : laneToWire(lanes.outbound),
    };
    const res = await this.#flipCall<{ inbound_bound: boolean; outbound_bound: boolean }>(
      "Bind",
      request,
      (o, cb) => this.#client.Bind(request, o, cb),
    );
    return { inboundBound: res.inbound_bound, outboundBound: res.outbound_bound };
  }

  /**
   * Has the driver listen for one side of a link (it binds that side when the peer connects)
   * and returns the address for the peer: `B.bind(l, { inbound: await A.offer(k, "outbound",
   * "shm") })` wires driver A's link k to driver B's link l.
   */
  async offer(
    linkId: string,
    side: "inbound" | "outbound",
    kind: LaneKind,
    options: { readonly capacity?: number } = {},
  ): Promise<LaneAddress> {
    const request = {
      link_id: linkId,
      side: side === "inbound" ? "INBOUND" : "OUTBOUND",
      kind,
      capacity: options.capacity ?? 0,
    } as const;
    const res = await this.#flipCall<{ address: WireLaneAddress | null }>(
      "Offer",
      request,
      (o, cb) => this.#client.Offer(request, o, cb),
    );
    const address = laneFromWire(res.address);
    if (address === undefined)
      throw new RttError("RTT_ERR_DRIVER_CALL", `driver "${this.name}": Offer: no address`);
    return address;
  }

  /**
   * The target end of a route in PREPARE: has the driver offer the link's inbound side (as
   * `offer`) and answer the route's QuickConnect handshake on two control lanes of its own.
   * Give both addresses to the source's driver: `source.handshake(k, { control, data: address,
   * ... })`, then, at the flip, `source.bind(k, { outbound: address })`.
   */
  async offerWithHandshake(
    linkId: string,
    kind: LaneKind,
    options: { readonly capacity?: number; readonly grant?: OfferGrant } = {},
  ): Promise<{ address: LaneAddress; control: ControlAddresses }> {
    const { grant } = options;
    const request = {
      link_id: linkId,
      side: "INBOUND",
      kind,
      capacity: options.capacity ?? 0,
      handshake: true,
      ...(grant === undefined
        ? {}
        : { route_id: grant.routeId, panel_key: rawPublicKey(grant.panelKey) }),
    } as const;
    const res = await this.#flipCall<OfferResponse__Output>("Offer", request, (o, cb) =>
      this.#client.Offer(request, o, cb),
    );
    const address = laneFromWire(res.address);
    const requests = laneFromWire(res.control?.requests);
    const answers = laneFromWire(res.control?.answers);
    if (address === undefined || requests === undefined || answers === undefined)
      throw new RttError(
        "RTT_ERR_DRIVER_CALL",
        `driver "${this.name}": Offer with handshake: no address or no control lanes`,
        { hint: "the driver's SDK may predate QuickConnect in Offer: update it" },
      );
    return { address, control: { requests, answers } };
  }

  /**
   * The source end of a route in PREPARE: runs QuickConnect (SYN → ACK → BIND → READY) with
   * the target's driver over the control lanes it offered, and resolves with what the ACK
   * agreed. Rejects with the trip's code: RTT_ERR_QC_REFUSED (contract mismatch, a missing
   * capability, no common lane kind), RTT_ERR_QC_TIMEOUT (no answer within `timeoutMs`),
   * RTT_ERR_QC_TRIP (the target's lanes are gone, its link closed, BIND refused, …),
   * RTT_ERR_QC_MALFORMED (a field this end cannot put in a SYN). The same `nonce` again on
   * the same link gets the first answer, without a second handshake.
   */
  async handshake(linkId: string, ask: HandshakeOptions): Promise<HandshakeAgreed> {
    const timeoutMs = ask.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const res = await this.#unary<HandshakeResponse__Output>(
      "Handshake",
      (o, cb) =>
        this.#client.Handshake(
          {
            link_id: linkId,
            control: {
              requests: laneToWire(ask.control.requests),
              answers: laneToWire(ask.control.answers),
            },
            data: laneToWire(ask.data),
            expect_saddr: ask.expectSaddr,
            expect_contract_hash: ask.expectContractHash,
            caps: [...(ask.caps ?? [])],
            require: [...(ask.require ?? [])],
            nonce: ask.nonce ?? "",
            timeout_ms: timeoutMs,
            route_token: ask.routeToken ?? "",
          },
          o,
          cb,
        ),
      timeoutMs + this.#callTimeoutMs,
    );
    return {
      nonce: res.nonce,
      caps: res.caps,
      lane: res.lane as LaneKind,
      capacity: res.capacity,
      maxFrame: res.max_frame,
      heartbeatMs: res.heartbeat_ms,
    };
  }

  /** Moves a link's outbound to another lane; `undefined` parks it (no lane: chunks wait). */
  async switch(
    linkId: string,
    outbound: LaneAddress | undefined,
  ): Promise<{ oldEosSeq: number; oldFrames: number }> {
    const request = {
      link_id: linkId,
      ...(outbound === undefined ? {} : { outbound: laneToWire(outbound) }),
    };
    const res = await this.#flipCall<{ old_eos_seq: number; old_frames: number }>(
      "Switch",
      request,
      (o, cb) => this.#client.Switch(request, o, cb),
    );
    return { oldEosSeq: res.old_eos_seq, oldFrames: res.old_frames };
  }

  /** Bounds a link's outbound to `perWindow` chunks every `windowMs` (a half-open trial); 0 lifts it. */
  async throttle(linkId: string, perWindow: number, windowMs: number): Promise<void> {
    await this.#unary<object>("Throttle", (o, cb) =>
      this.#client.Throttle({ link_id: linkId, per_window: perWindow, window_ms: windowMs }, o, cb),
    );
  }

  /**
   * The driver's open links, oldest first, with the lanes each writes and reads now when the
   * driver says (OpenLink).
   */
  async listLinks(): Promise<ListedLink[]> {
    const res = await this.#unary<{
      links: {
        link_id: string;
        saddr: string;
        outbound?: WireLaneAddress | null;
        inbound?: WireLaneAddress | null;
      }[];
    }>("ListLinks", (o, cb) => this.#client.ListLinks({}, o, cb));
    return res.links.map((l) => {
      // A driver's word on its lanes is a hint for recovery: one it garbles is left out.
      const lane = (w: WireLaneAddress | null | undefined) => {
        try {
          return laneFromWire(w);
        } catch {
          return undefined;
        }
      };
      const outbound = lane(l.outbound);
      const inbound = lane(l.inbound);
      return {
        linkId: l.link_id,
        saddr: l.saddr,
        ...(outbound === undefined ? {} : { outbound }),
        ...(inbound === undefined ? {} : { inbound }),
      };
    });
  }

  /**
   * Closes a link (not this client: see `disconnect`); `detach` leaves its program adoptable
   * (CloseRequest.detach). False when it was not open.
   */
  async close(linkId: string, detach = false): Promise<boolean> {
    return (await this.closeLink(linkId, detach)).closed;
  }

  /**
   * `close`, with how the link's program ended when its connector runs one (ADR 0024). The
   * call may wait for the program's drain: its deadline is the usual one plus `drainMs`.
   */
  async closeLink(
    linkId: string,
    detach = false,
    drainMs = 0,
  ): Promise<{ closed: boolean; drain?: ProgramDrain__Output }> {
    const res = await this.#unary<{ closed: boolean; drain?: ProgramDrain__Output | null }>(
      "Close",
      (o, cb) => this.#client.Close({ link_id: linkId, detach }, o, cb),
      this.#callTimeoutMs + drainMs,
    );
    return res.drain == null ? { closed: res.closed } : { closed: res.closed, drain: res.drain };
  }

  async tx(
    linkId: string,
    bytes: Uint8Array,
    options: { readonly correlation?: number } = {},
  ): Promise<void> {
    await this.#unary("Tx", (o, cb) =>
      this.#client.Tx(
        {
          link_id: linkId,
          bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          correlation: options.correlation ?? 0,
        },
        o,
        cb,
      ),
    );
  }

  rx(linkId: string, options: { readonly max?: number } = {}): ServerStream<RxChunk> {
    return this.#stream("Rx", this.#client.Rx({ link_id: linkId, max: options.max ?? 0 }));
  }

  health(
    options: { readonly linkId?: string; readonly intervalMs?: number } = {},
  ): ServerStream<HealthSample> {
    const request = { link_id: options.linkId ?? "", interval_ms: options.intervalMs ?? 0 };
    if (this.#framed !== undefined) return this.#framed.stream("Health", request);
    return this.#stream("Health", this.#client.Health(request));
  }

  async shutdown(reason: string, timeoutMs = this.#callTimeoutMs): Promise<number> {
    const res = await this.#unary<{ closed_links: number }>(
      "Shutdown",
      (o, cb) => this.#client.Shutdown({ reason }, o, cb),
      timeoutMs,
    );
    return res.closed_links;
  }

  /** Closes the connections; the driver sees its watch stream end. */
  disconnect(): void {
    this.#framed?.close();
    // Not `this.#client.close()`: the service has an RPC named Close, which shadows it.
    grpc.Client.prototype.close.call(this.#client);
  }
}

/** The framed channel to driver `name`, failing with the RttErrors a gRPC call would. */
function framedChannel(name: string, path: string): FramedChannel {
  return new FramedChannel(path, connectorMethodTable, {
    lost: (method, why, cause) =>
      new RttError("RTT_ERR_DRIVER_EXITED", `driver "${name}" did not answer ${method}: ${why}`, {
        cause,
        hint: "the driver process exited or was killed",
      }),
    deadline: (method) =>
      new RttError("RTT_ERR_DRIVER_TIMEOUT", `driver "${name}" did not answer ${method} in time`),
    sent: (_, e) =>
      new RttError(e.code, `driver "${name}": ${e.message}`, {
        cause: e.cause,
        ...(e.hint === undefined ? {} : { hint: e.hint }),
      }),
  });
}
