// Original file: proto/rtt/v1/connector.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BindRequest as _rtt_connector_v1_BindRequest, BindRequest__Output as _rtt_connector_v1_BindRequest__Output } from '../../../rtt/connector/v1/BindRequest.ts';
import type { BindResponse as _rtt_connector_v1_BindResponse, BindResponse__Output as _rtt_connector_v1_BindResponse__Output } from '../../../rtt/connector/v1/BindResponse.ts';
import type { CloseRequest as _rtt_connector_v1_CloseRequest, CloseRequest__Output as _rtt_connector_v1_CloseRequest__Output } from '../../../rtt/connector/v1/CloseRequest.ts';
import type { CloseResponse as _rtt_connector_v1_CloseResponse, CloseResponse__Output as _rtt_connector_v1_CloseResponse__Output } from '../../../rtt/connector/v1/CloseResponse.ts';
import type { DriverInfo as _rtt_connector_v1_DriverInfo, DriverInfo__Output as _rtt_connector_v1_DriverInfo__Output } from '../../../rtt/connector/v1/DriverInfo.ts';
import type { GetInfoRequest as _rtt_connector_v1_GetInfoRequest, GetInfoRequest__Output as _rtt_connector_v1_GetInfoRequest__Output } from '../../../rtt/connector/v1/GetInfoRequest.ts';
import type { HandshakeRequest as _rtt_connector_v1_HandshakeRequest, HandshakeRequest__Output as _rtt_connector_v1_HandshakeRequest__Output } from '../../../rtt/connector/v1/HandshakeRequest.ts';
import type { HandshakeResponse as _rtt_connector_v1_HandshakeResponse, HandshakeResponse__Output as _rtt_connector_v1_HandshakeResponse__Output } from '../../../rtt/connector/v1/HandshakeResponse.ts';
import type { HealthRequest as _rtt_connector_v1_HealthRequest, HealthRequest__Output as _rtt_connector_v1_HealthRequest__Output } from '../../../rtt/connector/v1/HealthRequest.ts';
import type { HealthSample as _rtt_connector_v1_HealthSample, HealthSample__Output as _rtt_connector_v1_HealthSample__Output } from '../../../rtt/connector/v1/HealthSample.ts';
import type { ListLinksRequest as _rtt_connector_v1_ListLinksRequest, ListLinksRequest__Output as _rtt_connector_v1_ListLinksRequest__Output } from '../../../rtt/connector/v1/ListLinksRequest.ts';
import type { ListLinksResponse as _rtt_connector_v1_ListLinksResponse, ListLinksResponse__Output as _rtt_connector_v1_ListLinksResponse__Output } from '../../../rtt/connector/v1/ListLinksResponse.ts';
import type { OfferRequest as _rtt_connector_v1_OfferRequest, OfferRequest__Output as _rtt_connector_v1_OfferRequest__Output } from '../../../rtt/connector/v1/OfferRequest.ts';
import type { OfferResponse as _rtt_connector_v1_OfferResponse, OfferResponse__Output as _rtt_connector_v1_OfferResponse__Output } from '../../../rtt/connector/v1/OfferResponse.ts';
import type { OpenRequest as _rtt_connector_v1_OpenRequest, OpenRequest__Output as _rtt_connector_v1_OpenRequest__Output } from '../../../rtt/connector/v1/OpenRequest.ts';
import type { OpenResponse as _rtt_connector_v1_OpenResponse, OpenResponse__Output as _rtt_connector_v1_OpenResponse__Output } from '../../../rtt/connector/v1/OpenResponse.ts';
import type { ProbeRequest as _rtt_connector_v1_ProbeRequest, ProbeRequest__Output as _rtt_connector_v1_ProbeRequest__Output } from '../../../rtt/connector/v1/ProbeRequest.ts';
import type { ProbeResponse as _rtt_connector_v1_ProbeResponse, ProbeResponse__Output as _rtt_connector_v1_ProbeResponse__Output } from '../../../rtt/connector/v1/ProbeResponse.ts';
import type { RxChunk as _rtt_connector_v1_RxChunk, RxChunk__Output as _rtt_connector_v1_RxChunk__Output } from '../../../rtt/connector/v1/RxChunk.ts';
import type { RxRequest as _rtt_connector_v1_RxRequest, RxRequest__Output as _rtt_connector_v1_RxRequest__Output } from '../../../rtt/connector/v1/RxRequest.ts';
import type { ShutdownRequest as _rtt_connector_v1_ShutdownRequest, ShutdownRequest__Output as _rtt_connector_v1_ShutdownRequest__Output } from '../../../rtt/connector/v1/ShutdownRequest.ts';
import type { ShutdownResponse as _rtt_connector_v1_ShutdownResponse, ShutdownResponse__Output as _rtt_connector_v1_ShutdownResponse__Output } from '../../../rtt/connector/v1/ShutdownResponse.ts';
import type { SwitchRequest as _rtt_connector_v1_SwitchRequest, SwitchRequest__Output as _rtt_connector_v1_SwitchRequest__Output } from '../../../rtt/connector/v1/SwitchRequest.ts';
import type { SwitchResponse as _rtt_connector_v1_SwitchResponse, SwitchResponse__Output as _rtt_connector_v1_SwitchResponse__Output } from '../../../rtt/connector/v1/SwitchResponse.ts';
import type { ThrottleRequest as _rtt_connector_v1_ThrottleRequest, ThrottleRequest__Output as _rtt_connector_v1_ThrottleRequest__Output } from '../../../rtt/connector/v1/ThrottleRequest.ts';
import type { ThrottleResponse as _rtt_connector_v1_ThrottleResponse, ThrottleResponse__Output as _rtt_connector_v1_ThrottleResponse__Output } from '../../../rtt/connector/v1/ThrottleResponse.ts';
import type { TxRequest as _rtt_connector_v1_TxRequest, TxRequest__Output as _rtt_connector_v1_TxRequest__Output } from '../../../rtt/connector/v1/TxRequest.ts';
import type { TxResponse as _rtt_connector_v1_TxResponse, TxResponse__Output as _rtt_connector_v1_TxResponse__Output } from '../../../rtt/connector/v1/TxResponse.ts';

/**
 * One driver process: it finds symbols, opens links to them and pumps each link's bytes
 * between the outside world and the lanes the host binds to it. The host never carries data
 * bytes itself; Tx and Rx exist for taps and tests only.
 */
export interface ConnectorClient extends grpc.Client {
  /**
   * Connects a link to its lanes: frames from `inbound` go to the symbol, bytes from the
   * symbol go out on `outbound`.
   */
  Bind(argument: _rtt_connector_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _rtt_connector_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _rtt_connector_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  Bind(argument: _rtt_connector_v1_BindRequest, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Connects a link to its lanes: frames from `inbound` go to the symbol, bytes from the
   * symbol go out on `outbound`.
   */
  bind(argument: _rtt_connector_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _rtt_connector_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _rtt_connector_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  bind(argument: _rtt_connector_v1_BindRequest, callback: grpc.requestCallback<_rtt_connector_v1_BindResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Closes a link: EOS on its outbound lane, its inbound lane released, the symbol closed.
   */
  Close(argument: _rtt_connector_v1_CloseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_CloseResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _rtt_connector_v1_CloseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_CloseResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _rtt_connector_v1_CloseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_CloseResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _rtt_connector_v1_CloseRequest, callback: grpc.requestCallback<_rtt_connector_v1_CloseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Who this driver is; the host checks `nonce` against the handshake before trusting it.
   */
  GetInfo(argument: _rtt_connector_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rtt_connector_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rtt_connector_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rtt_connector_v1_GetInfoRequest, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  /**
   * Who this driver is; the host checks `nonce` against the handshake before trusting it.
   */
  getInfo(argument: _rtt_connector_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rtt_connector_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rtt_connector_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rtt_connector_v1_GetInfoRequest, callback: grpc.requestCallback<_rtt_connector_v1_DriverInfo__Output>): grpc.ClientUnaryCall;
  
  /**
   * Runs QuickConnect's initiator (ADR 0011: SYN → ACK → BIND → READY) for a link on the source
   * end of a route, against the control lanes the target's driver offered (Offer with
   * `handshake`), before any data flows. Fails with the trip's RTT code: RTT_ERR_QC_REFUSED
   * (contract mismatch, missing capability, no common lane kind), RTT_ERR_QC_TIMEOUT,
   * RTT_ERR_QC_TRIP, RTT_ERR_QC_MALFORMED.
   */
  Handshake(argument: _rtt_connector_v1_HandshakeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  Handshake(argument: _rtt_connector_v1_HandshakeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  Handshake(argument: _rtt_connector_v1_HandshakeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  Handshake(argument: _rtt_connector_v1_HandshakeRequest, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Runs QuickConnect's initiator (ADR 0011: SYN → ACK → BIND → READY) for a link on the source
   * end of a route, against the control lanes the target's driver offered (Offer with
   * `handshake`), before any data flows. Fails with the trip's RTT code: RTT_ERR_QC_REFUSED
   * (contract mismatch, missing capability, no common lane kind), RTT_ERR_QC_TIMEOUT,
   * RTT_ERR_QC_TRIP, RTT_ERR_QC_MALFORMED.
   */
  handshake(argument: _rtt_connector_v1_HandshakeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  handshake(argument: _rtt_connector_v1_HandshakeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  handshake(argument: _rtt_connector_v1_HandshakeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  handshake(argument: _rtt_connector_v1_HandshakeRequest, callback: grpc.requestCallback<_rtt_connector_v1_HandshakeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Health samples, one per link (and one for the driver itself) every interval, until the
   * caller cancels. A host keeps one open as its liveness watch: while any Health stream is
   * open the driver counts as attached and does not start its grace period.
   */
  Health(argument: _rtt_connector_v1_HealthRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_HealthSample__Output>;
  Health(argument: _rtt_connector_v1_HealthRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_HealthSample__Output>;
  /**
   * Health samples, one per link (and one for the driver itself) every interval, until the
   * caller cancels. A host keeps one open as its liveness watch: while any Health stream is
   * open the driver counts as attached and does not start its grace period.
   */
  health(argument: _rtt_connector_v1_HealthRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_HealthSample__Output>;
  health(argument: _rtt_connector_v1_HealthRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_HealthSample__Output>;
  
  /**
   * The links open now: a host that re-attached closes those it has no route for.
   */
  ListLinks(argument: _rtt_connector_v1_ListLinksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  ListLinks(argument: _rtt_connector_v1_ListLinksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  ListLinks(argument: _rtt_connector_v1_ListLinksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  ListLinks(argument: _rtt_connector_v1_ListLinksRequest, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The links open now: a host that re-attached closes those it has no route for.
   */
  listLinks(argument: _rtt_connector_v1_ListLinksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  listLinks(argument: _rtt_connector_v1_ListLinksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  listLinks(argument: _rtt_connector_v1_ListLinksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  listLinks(argument: _rtt_connector_v1_ListLinksRequest, callback: grpc.requestCallback<_rtt_connector_v1_ListLinksResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Listens for one side of a link and binds it when the peer connects: how two drivers are
   * wired to each other (one Offers, the other Binds to the address it got).
   */
  Offer(argument: _rtt_connector_v1_OfferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  Offer(argument: _rtt_connector_v1_OfferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  Offer(argument: _rtt_connector_v1_OfferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  Offer(argument: _rtt_connector_v1_OfferRequest, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Listens for one side of a link and binds it when the peer connects: how two drivers are
   * wired to each other (one Offers, the other Binds to the address it got).
   */
  offer(argument: _rtt_connector_v1_OfferRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  offer(argument: _rtt_connector_v1_OfferRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  offer(argument: _rtt_connector_v1_OfferRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  offer(argument: _rtt_connector_v1_OfferRequest, callback: grpc.requestCallback<_rtt_connector_v1_OfferResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Opens a link to one symbol; nothing moves until Bind (or Tx/Rx) uses it.
   */
  Open(argument: _rtt_connector_v1_OpenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _rtt_connector_v1_OpenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _rtt_connector_v1_OpenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _rtt_connector_v1_OpenRequest, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Opens a link to one symbol; nothing moves until Bind (or Tx/Rx) uses it.
   */
  open(argument: _rtt_connector_v1_OpenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _rtt_connector_v1_OpenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _rtt_connector_v1_OpenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _rtt_connector_v1_OpenRequest, callback: grpc.requestCallback<_rtt_connector_v1_OpenResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Lists the symbols the driver finds under a folder (a connector's `probe`).
   */
  Probe(argument: _rtt_connector_v1_ProbeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  Probe(argument: _rtt_connector_v1_ProbeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  Probe(argument: _rtt_connector_v1_ProbeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  Probe(argument: _rtt_connector_v1_ProbeRequest, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Lists the symbols the driver finds under a folder (a connector's `probe`).
   */
  probe(argument: _rtt_connector_v1_ProbeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  probe(argument: _rtt_connector_v1_ProbeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  probe(argument: _rtt_connector_v1_ProbeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  probe(argument: _rtt_connector_v1_ProbeRequest, callback: grpc.requestCallback<_rtt_connector_v1_ProbeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Control-path read: streams what the symbol produces (a copy, when the link also has an
   * outbound lane: every chunk, also one the route's drop policy then refuses), until `max`
   * chunks or the caller cancels.
   */
  Rx(argument: _rtt_connector_v1_RxRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_RxChunk__Output>;
  Rx(argument: _rtt_connector_v1_RxRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_RxChunk__Output>;
  /**
   * Control-path read: streams what the symbol produces (a copy, when the link also has an
   * outbound lane: every chunk, also one the route's drop policy then refuses), until `max`
   * chunks or the caller cancels.
   */
  rx(argument: _rtt_connector_v1_RxRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_RxChunk__Output>;
  rx(argument: _rtt_connector_v1_RxRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_connector_v1_RxChunk__Output>;
  
  /**
   * Closes every link and exits the process with status 0 once the answer is sent.
   */
  Shutdown(argument: _rtt_connector_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_connector_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_connector_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_connector_v1_ShutdownRequest, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Closes every link and exits the process with status 0 once the answer is sent.
   */
  shutdown(argument: _rtt_connector_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_connector_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_connector_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_connector_v1_ShutdownRequest, callback: grpc.requestCallback<_rtt_connector_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Moves the link's outbound side to a new lane at a frame boundary; the old lane gets EOS.
   * Idempotent: asked again to where the last Switch moved (its answer was lost), while the
   * outbound has not moved since, it answers that Switch's response and moves nothing.
   */
  Switch(argument: _rtt_connector_v1_SwitchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  Switch(argument: _rtt_connector_v1_SwitchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  Switch(argument: _rtt_connector_v1_SwitchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  Switch(argument: _rtt_connector_v1_SwitchRequest, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Moves the link's outbound side to a new lane at a frame boundary; the old lane gets EOS.
   * Idempotent: asked again to where the last Switch moved (its answer was lost), while the
   * outbound has not moved since, it answers that Switch's response and moves nothing.
   */
  switch(argument: _rtt_connector_v1_SwitchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  switch(argument: _rtt_connector_v1_SwitchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  switch(argument: _rtt_connector_v1_SwitchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  switch(argument: _rtt_connector_v1_SwitchRequest, callback: grpc.requestCallback<_rtt_connector_v1_SwitchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Bounds what a link's outbound sends (a route's half-open trial, ADR 0013): at most
   * `per_window` chunks every `window_ms`; the rest wait at the source under its QoS.
   */
  Throttle(argument: _rtt_connector_v1_ThrottleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  Throttle(argument: _rtt_connector_v1_ThrottleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  Throttle(argument: _rtt_connector_v1_ThrottleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  Throttle(argument: _rtt_connector_v1_ThrottleRequest, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Bounds what a link's outbound sends (a route's half-open trial, ADR 0013): at most
   * `per_window` chunks every `window_ms`; the rest wait at the source under its QoS.
   */
  throttle(argument: _rtt_connector_v1_ThrottleRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  throttle(argument: _rtt_connector_v1_ThrottleRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  throttle(argument: _rtt_connector_v1_ThrottleRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  throttle(argument: _rtt_connector_v1_ThrottleRequest, callback: grpc.requestCallback<_rtt_connector_v1_ThrottleResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Control-path write: hands bytes to the symbol as one `tx` call (taps, tests).
   */
  Tx(argument: _rtt_connector_v1_TxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  Tx(argument: _rtt_connector_v1_TxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  Tx(argument: _rtt_connector_v1_TxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  Tx(argument: _rtt_connector_v1_TxRequest, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Control-path write: hands bytes to the symbol as one `tx` call (taps, tests).
   */
  tx(argument: _rtt_connector_v1_TxRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  tx(argument: _rtt_connector_v1_TxRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  tx(argument: _rtt_connector_v1_TxRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  tx(argument: _rtt_connector_v1_TxRequest, callback: grpc.requestCallback<_rtt_connector_v1_TxResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * One driver process: it finds symbols, opens links to them and pumps each link's bytes
 * between the outside world and the lanes the host binds to it. The host never carries data
 * bytes itself; Tx and Rx exist for taps and tests only.
 */
export interface ConnectorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Connects a link to its lanes: frames from `inbound` go to the symbol, bytes from the
   * symbol go out on `outbound`.
   */
  Bind: grpc.handleUnaryCall<_rtt_connector_v1_BindRequest__Output, _rtt_connector_v1_BindResponse>;
  
  /**
   * Closes a link: EOS on its outbound lane, its inbound lane released, the symbol closed.
   */
  Close: grpc.handleUnaryCall<_rtt_connector_v1_CloseRequest__Output, _rtt_connector_v1_CloseResponse>;
  
  /**
   * Who this driver is; the host checks `nonce` against the handshake before trusting it.
   */
  GetInfo: grpc.handleUnaryCall<_rtt_connector_v1_GetInfoRequest__Output, _rtt_connector_v1_DriverInfo>;
  
  /**
   * Runs QuickConnect's initiator (ADR 0011: SYN → ACK → BIND → READY) for a link on the source
   * end of a route, against the control lanes the target's driver offered (Offer with
   * `handshake`), before any data flows. Fails with the trip's RTT code: RTT_ERR_QC_REFUSED
   * (contract mismatch, missing capability, no common lane kind), RTT_ERR_QC_TIMEOUT,
   * RTT_ERR_QC_TRIP, RTT_ERR_QC_MALFORMED.
   */
  Handshake: grpc.handleUnaryCall<_rtt_connector_v1_HandshakeRequest__Output, _rtt_connector_v1_HandshakeResponse>;
  
  /**
   * Health samples, one per link (and one for the driver itself) every interval, until the
   * caller cancels. A host keeps one open as its liveness watch: while any Health stream is
   * open the driver counts as attached and does not start its grace period.
   */
  Health: grpc.handleServerStreamingCall<_rtt_connector_v1_HealthRequest__Output, _rtt_connector_v1_HealthSample>;
  
  /**
   * The links open now: a host that re-attached closes those it has no route for.
   */
  ListLinks: grpc.handleUnaryCall<_rtt_connector_v1_ListLinksRequest__Output, _rtt_connector_v1_ListLinksResponse>;
  
  /**
   * Listens for one side of a link and binds it when the peer connects: how two drivers are
   * wired to each other (one Offers, the other Binds to the address it got).
   */
  Offer: grpc.handleUnaryCall<_rtt_connector_v1_OfferRequest__Output, _rtt_connector_v1_OfferResponse>;
  
  /**
   * Opens a link to one symbol; nothing moves until Bind (or Tx/Rx) uses it.
   */
  Open: grpc.handleUnaryCall<_rtt_connector_v1_OpenRequest__Output, _rtt_connector_v1_OpenResponse>;
  
  /**
   * Lists the symbols the driver finds under a folder (a connector's `probe`).
   */
  Probe: grpc.handleUnaryCall<_rtt_connector_v1_ProbeRequest__Output, _rtt_connector_v1_ProbeResponse>;
  
  /**
   * Control-path read: streams what the symbol produces (a copy, when the link also has an
   * outbound lane: every chunk, also one the route's drop policy then refuses), until `max`
   * chunks or the caller cancels.
   */
  Rx: grpc.handleServerStreamingCall<_rtt_connector_v1_RxRequest__Output, _rtt_connector_v1_RxChunk>;
  
  /**
   * Closes every link and exits the process with status 0 once the answer is sent.
   */
  Shutdown: grpc.handleUnaryCall<_rtt_connector_v1_ShutdownRequest__Output, _rtt_connector_v1_ShutdownResponse>;
  
  /**
   * Moves the link's outbound side to a new lane at a frame boundary; the old lane gets EOS.
   * Idempotent: asked again to where the last Switch moved (its answer was lost), while the
   * outbound has not moved since, it answers that Switch's response and moves nothing.
   */
  Switch: grpc.handleUnaryCall<_rtt_connector_v1_SwitchRequest__Output, _rtt_connector_v1_SwitchResponse>;
  
  /**
   * Bounds what a link's outbound sends (a route's half-open trial, ADR 0013): at most
   * `per_window` chunks every `window_ms`; the rest wait at the source under its QoS.
   */
  Throttle: grpc.handleUnaryCall<_rtt_connector_v1_ThrottleRequest__Output, _rtt_connector_v1_ThrottleResponse>;
  
  /**
   * Control-path write: hands bytes to the symbol as one `tx` call (taps, tests).
   */
  Tx: grpc.handleUnaryCall<_rtt_connector_v1_TxRequest__Output, _rtt_connector_v1_TxResponse>;
  
}

export interface ConnectorDefinition extends grpc.ServiceDefinition {
  Bind: MethodDefinition<_rtt_connector_v1_BindRequest, _rtt_connector_v1_BindResponse, _rtt_connector_v1_BindRequest__Output, _rtt_connector_v1_BindResponse__Output>
  Close: MethodDefinition<_rtt_connector_v1_CloseRequest, _rtt_connector_v1_CloseResponse, _rtt_connector_v1_CloseRequest__Output, _rtt_connector_v1_CloseResponse__Output>
  GetInfo: MethodDefinition<_rtt_connector_v1_GetInfoRequest, _rtt_connector_v1_DriverInfo, _rtt_connector_v1_GetInfoRequest__Output, _rtt_connector_v1_DriverInfo__Output>
  Handshake: MethodDefinition<_rtt_connector_v1_HandshakeRequest, _rtt_connector_v1_HandshakeResponse, _rtt_connector_v1_HandshakeRequest__Output, _rtt_connector_v1_HandshakeResponse__Output>
  Health: MethodDefinition<_rtt_connector_v1_HealthRequest, _rtt_connector_v1_HealthSample, _rtt_connector_v1_HealthRequest__Output, _rtt_connector_v1_HealthSample__Output>
  ListLinks: MethodDefinition<_rtt_connector_v1_ListLinksRequest, _rtt_connector_v1_ListLinksResponse, _rtt_connector_v1_ListLinksRequest__Output, _rtt_connector_v1_ListLinksResponse__Output>
  Offer: MethodDefinition<_rtt_connector_v1_OfferRequest, _rtt_connector_v1_OfferResponse, _rtt_connector_v1_OfferRequest__Output, _rtt_connector_v1_OfferResponse__Output>
  Open: MethodDefinition<_rtt_connector_v1_OpenRequest, _rtt_connector_v1_OpenResponse, _rtt_connector_v1_OpenRequest__Output, _rtt_connector_v1_OpenResponse__Output>
  Probe: MethodDefinition<_rtt_connector_v1_ProbeRequest, _rtt_connector_v1_ProbeResponse, _rtt_connector_v1_ProbeRequest__Output, _rtt_connector_v1_ProbeResponse__Output>
  Rx: MethodDefinition<_rtt_connector_v1_RxRequest, _rtt_connector_v1_RxChunk, _rtt_connector_v1_RxRequest__Output, _rtt_connector_v1_RxChunk__Output>
  Shutdown: MethodDefinition<_rtt_connector_v1_ShutdownRequest, _rtt_connector_v1_ShutdownResponse, _rtt_connector_v1_ShutdownRequest__Output, _rtt_connector_v1_ShutdownResponse__Output>
  Switch: MethodDefinition<_rtt_connector_v1_SwitchRequest, _rtt_connector_v1_SwitchResponse, _rtt_connector_v1_SwitchRequest__Output, _rtt_connector_v1_SwitchResponse__Output>
  Throttle: MethodDefinition<_rtt_connector_v1_ThrottleRequest, _rtt_connector_v1_ThrottleResponse, _rtt_connector_v1_ThrottleRequest__Output, _rtt_connector_v1_ThrottleResponse__Output>
  Tx: MethodDefinition<_rtt_connector_v1_TxRequest, _rtt_connector_v1_TxResponse, _rtt_connector_v1_TxRequest__Output, _rtt_connector_v1_TxResponse__Output>
}
