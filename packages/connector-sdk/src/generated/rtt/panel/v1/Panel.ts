// Original file: proto/rtt/v1/panel.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _rtt_panel_v1_ApplyRequest, ApplyRequest__Output as _rtt_panel_v1_ApplyRequest__Output } from '../../../rtt/panel/v1/ApplyRequest.ts';
import type { ApplyResult as _rtt_panel_v1_ApplyResult, ApplyResult__Output as _rtt_panel_v1_ApplyResult__Output } from '../../../rtt/panel/v1/ApplyResult.ts';
import type { AuditEvent as _rtt_panel_v1_AuditEvent, AuditEvent__Output as _rtt_panel_v1_AuditEvent__Output } from '../../../rtt/panel/v1/AuditEvent.ts';
import type { AuditQuery as _rtt_panel_v1_AuditQuery, AuditQuery__Output as _rtt_panel_v1_AuditQuery__Output } from '../../../rtt/panel/v1/AuditQuery.ts';
import type { BreakerReply as _rtt_panel_v1_BreakerReply, BreakerReply__Output as _rtt_panel_v1_BreakerReply__Output } from '../../../rtt/panel/v1/BreakerReply.ts';
import type { BreakerRequest as _rtt_panel_v1_BreakerRequest, BreakerRequest__Output as _rtt_panel_v1_BreakerRequest__Output } from '../../../rtt/panel/v1/BreakerRequest.ts';
import type { Filter as _rtt_panel_v1_Filter, Filter__Output as _rtt_panel_v1_Filter__Output } from '../../../rtt/panel/v1/Filter.ts';
import type { HealthSample as _rtt_panel_v1_HealthSample, HealthSample__Output as _rtt_panel_v1_HealthSample__Output } from '../../../rtt/panel/v1/HealthSample.ts';
import type { ListRoutesRequest as _rtt_panel_v1_ListRoutesRequest, ListRoutesRequest__Output as _rtt_panel_v1_ListRoutesRequest__Output } from '../../../rtt/panel/v1/ListRoutesRequest.ts';
import type { PanelStatus as _rtt_panel_v1_PanelStatus, PanelStatus__Output as _rtt_panel_v1_PanelStatus__Output } from '../../../rtt/panel/v1/PanelStatus.ts';
import type { Plan as _rtt_panel_v1_Plan, Plan__Output as _rtt_panel_v1_Plan__Output } from '../../../rtt/panel/v1/Plan.ts';
import type { PlanRequest as _rtt_panel_v1_PlanRequest, PlanRequest__Output as _rtt_panel_v1_PlanRequest__Output } from '../../../rtt/panel/v1/PlanRequest.ts';
import type { QuickConnectAck as _rtt_panel_v1_QuickConnectAck, QuickConnectAck__Output as _rtt_panel_v1_QuickConnectAck__Output } from '../../../rtt/panel/v1/QuickConnectAck.ts';
import type { RollbackRequest as _rtt_panel_v1_RollbackRequest, RollbackRequest__Output as _rtt_panel_v1_RollbackRequest__Output } from '../../../rtt/panel/v1/RollbackRequest.ts';
import type { RouteList as _rtt_panel_v1_RouteList, RouteList__Output as _rtt_panel_v1_RouteList__Output } from '../../../rtt/panel/v1/RouteList.ts';
import type { RouteSpec as _rtt_panel_v1_RouteSpec, RouteSpec__Output as _rtt_panel_v1_RouteSpec__Output } from '../../../rtt/panel/v1/RouteSpec.ts';
import type { ScanRequest as _rtt_panel_v1_ScanRequest, ScanRequest__Output as _rtt_panel_v1_ScanRequest__Output } from '../../../rtt/panel/v1/ScanRequest.ts';
import type { ScanResult as _rtt_panel_v1_ScanResult, ScanResult__Output as _rtt_panel_v1_ScanResult__Output } from '../../../rtt/panel/v1/ScanResult.ts';
import type { Selector as _rtt_panel_v1_Selector, Selector__Output as _rtt_panel_v1_Selector__Output } from '../../../rtt/panel/v1/Selector.ts';
import type { ShutdownRequest as _rtt_panel_v1_ShutdownRequest, ShutdownRequest__Output as _rtt_panel_v1_ShutdownRequest__Output } from '../../../rtt/panel/v1/ShutdownRequest.ts';
import type { ShutdownResponse as _rtt_panel_v1_ShutdownResponse, ShutdownResponse__Output as _rtt_panel_v1_ShutdownResponse__Output } from '../../../rtt/panel/v1/ShutdownResponse.ts';
import type { StatusRequest as _rtt_panel_v1_StatusRequest, StatusRequest__Output as _rtt_panel_v1_StatusRequest__Output } from '../../../rtt/panel/v1/StatusRequest.ts';
import type { Symbol as _rtt_panel_v1_Symbol, Symbol__Output as _rtt_panel_v1_Symbol__Output } from '../../../rtt/panel/v1/Symbol.ts';

export interface PanelClient extends grpc.Client {
  /**
   * Applies the panel's own plan (the workspace's files against the live wiring), when the plan
   * sent is that plan (else FAILED_PRECONDITION naming the first difference): its batches in
   * order, each a two-phase commit journaled in the WAL.
   */
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  /**
   * Applies the panel's own plan (the workspace's files against the live wiring), when the plan
   * sent is that plan (else FAILED_PRECONDITION naming the first difference): its batches in
   * order, each a two-phase commit journaled in the WAL.
   */
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  
  /**
   * The audit ledger's records (.rtt/audit/ledger.ndjson), oldest first; with `follow`, then
   * each new record as it is appended, until the caller cancels.
   */
  Audit(argument: _rtt_panel_v1_AuditQuery, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_AuditEvent__Output>;
  Audit(argument: _rtt_panel_v1_AuditQuery, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_AuditEvent__Output>;
  /**
   * The audit ledger's records (.rtt/audit/ledger.ndjson), oldest first; with `follow`, then
   * each new record as it is appended, until the caller cancels.
   */
  audit(argument: _rtt_panel_v1_AuditQuery, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_AuditEvent__Output>;
  audit(argument: _rtt_panel_v1_AuditQuery, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_AuditEvent__Output>;
  
  /**
   * Runs the half-open test on a route's breaker (`rtt heal route/<id>`).
   */
  Heal(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Heal(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Heal(argument: _rtt_panel_v1_BreakerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Heal(argument: _rtt_panel_v1_BreakerRequest, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  /**
   * Runs the half-open test on a route's breaker (`rtt heal route/<id>`).
   */
  heal(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  heal(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  heal(argument: _rtt_panel_v1_BreakerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  heal(argument: _rtt_panel_v1_BreakerRequest, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * A health sample of every wired route (or one), every interval, until the caller cancels.
   */
  Health(argument: _rtt_panel_v1_Selector, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_HealthSample__Output>;
  Health(argument: _rtt_panel_v1_Selector, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_HealthSample__Output>;
  /**
   * A health sample of every wired route (or one), every interval, until the caller cancels.
   */
  health(argument: _rtt_panel_v1_Selector, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_HealthSample__Output>;
  health(argument: _rtt_panel_v1_Selector, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_HealthSample__Output>;
  
  /**
   * The wired routes with their links and a fresh health sample of each end.
   */
  ListRoutes(argument: _rtt_panel_v1_ListRoutesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _rtt_panel_v1_ListRoutesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _rtt_panel_v1_ListRoutesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  ListRoutes(argument: _rtt_panel_v1_ListRoutesRequest, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  /**
   * The wired routes with their links and a fresh health sample of each end.
   */
  listRoutes(argument: _rtt_panel_v1_ListRoutesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _rtt_panel_v1_ListRoutesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _rtt_panel_v1_ListRoutesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  listRoutes(argument: _rtt_panel_v1_ListRoutesRequest, callback: grpc.requestCallback<_rtt_panel_v1_RouteList__Output>): grpc.ClientUnaryCall;
  
  /**
   * The catalog's symbols (.rtt/catalog.json as the last `rtt scan` wrote it), filtered as
   * `rtt ls symbols [PATTERN] [--type TYPE]` filters them.
   */
  ListSymbols(argument: _rtt_panel_v1_Filter, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_Symbol__Output>;
  ListSymbols(argument: _rtt_panel_v1_Filter, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_Symbol__Output>;
  /**
   * The catalog's symbols (.rtt/catalog.json as the last `rtt scan` wrote it), filtered as
   * `rtt ls symbols [PATTERN] [--type TYPE]` filters them.
   */
  listSymbols(argument: _rtt_panel_v1_Filter, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_Symbol__Output>;
  listSymbols(argument: _rtt_panel_v1_Filter, options?: grpc.CallOptions): grpc.ClientReadableStream<_rtt_panel_v1_Symbol__Output>;
  
  /**
   * Computes the plan `rtt apply` would apply, against the panel's live topology: the workspace's
   * files as they are now. It changes nothing; ApplyPlan takes its plan_json as it is.
   */
  PlanRoutes(argument: _rtt_panel_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  PlanRoutes(argument: _rtt_panel_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  PlanRoutes(argument: _rtt_panel_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  PlanRoutes(argument: _rtt_panel_v1_PlanRequest, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  /**
   * Computes the plan `rtt apply` would apply, against the panel's live topology: the workspace's
   * files as they are now. It changes nothing; ApplyPlan takes its plan_json as it is.
   */
  planRoutes(argument: _rtt_panel_v1_PlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  planRoutes(argument: _rtt_panel_v1_PlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  planRoutes(argument: _rtt_panel_v1_PlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  planRoutes(argument: _rtt_panel_v1_PlanRequest, callback: grpc.requestCallback<_rtt_panel_v1_Plan__Output>): grpc.ClientUnaryCall;
  
  /**
   * QuickConnect (`rtt qc A -> B`): moves a wired route to another target at a frame boundary,
   * after the handshake with it; journaled and audited. A request/response route answers once
   * its reply lane is handed over (ADR 0013). The same swap again is a no-op.
   */
  QuickConnect(argument: _rtt_panel_v1_RouteSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  QuickConnect(argument: _rtt_panel_v1_RouteSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  QuickConnect(argument: _rtt_panel_v1_RouteSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  QuickConnect(argument: _rtt_panel_v1_RouteSpec, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  /**
   * QuickConnect (`rtt qc A -> B`): moves a wired route to another target at a frame boundary,
   * after the handshake with it; journaled and audited. A request/response route answers once
   * its reply lane is handed over (ADR 0013). The same swap again is a no-op.
   */
  quickConnect(argument: _rtt_panel_v1_RouteSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  quickConnect(argument: _rtt_panel_v1_RouteSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  quickConnect(argument: _rtt_panel_v1_RouteSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  quickConnect(argument: _rtt_panel_v1_RouteSpec, callback: grpc.requestCallback<_rtt_panel_v1_QuickConnectAck__Output>): grpc.ClientUnaryCall;
  
  /**
   * Restores the topology of an earlier commit through the same two-phase path.
   */
  Rollback(argument: _rtt_panel_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _rtt_panel_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _rtt_panel_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _rtt_panel_v1_RollbackRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  /**
   * Restores the topology of an earlier commit through the same two-phase path.
   */
  rollback(argument: _rtt_panel_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  rollback(argument: _rtt_panel_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  rollback(argument: _rtt_panel_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  rollback(argument: _rtt_panel_v1_RollbackRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  
  /**
   * The scan report of a panel that watches its scan roots (panel.yaml scan.watch), once every
   * change it has seen is scanned: what `rtt scan` prints, at the cost of a round trip. A panel
   * that does not watch answers `watching: false` (the caller scans itself).
   */
  Scan(argument: _rtt_panel_v1_ScanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  Scan(argument: _rtt_panel_v1_ScanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  Scan(argument: _rtt_panel_v1_ScanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  Scan(argument: _rtt_panel_v1_ScanRequest, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  /**
   * The scan report of a panel that watches its scan roots (panel.yaml scan.watch), once every
   * change it has seen is scanned: what `rtt scan` prints, at the cost of a round trip. A panel
   * that does not watch answers `watching: false` (the caller scans itself).
   */
  scan(argument: _rtt_panel_v1_ScanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  scan(argument: _rtt_panel_v1_ScanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  scan(argument: _rtt_panel_v1_ScanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  scan(argument: _rtt_panel_v1_ScanRequest, callback: grpc.requestCallback<_rtt_panel_v1_ScanResult__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stops the panel: stops every driver (closing its links), removes the socket, exits.
   */
  Shutdown(argument: _rtt_panel_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_panel_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_panel_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _rtt_panel_v1_ShutdownRequest, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stops the panel: stops every driver (closing its links), removes the socket, exits.
   */
  shutdown(argument: _rtt_panel_v1_ShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_panel_v1_ShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_panel_v1_ShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _rtt_panel_v1_ShutdownRequest, callback: grpc.requestCallback<_rtt_panel_v1_ShutdownResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Who serves this workspace, since when, and what it keeps wired.
   */
  Status(argument: _rtt_panel_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _rtt_panel_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _rtt_panel_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  Status(argument: _rtt_panel_v1_StatusRequest, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Who serves this workspace, since when, and what it keeps wired.
   */
  status(argument: _rtt_panel_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _rtt_panel_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _rtt_panel_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  status(argument: _rtt_panel_v1_StatusRequest, callback: grpc.requestCallback<_rtt_panel_v1_PanelStatus__Output>): grpc.ClientUnaryCall;
  
  /**
   * Opens a route's circuit breaker (`rtt trip route/<id>`); it stays open until a Heal.
   */
  Trip(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Trip(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Trip(argument: _rtt_panel_v1_BreakerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  Trip(argument: _rtt_panel_v1_BreakerRequest, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  /**
   * Opens a route's circuit breaker (`rtt trip route/<id>`); it stays open until a Heal.
   */
  trip(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  trip(argument: _rtt_panel_v1_BreakerRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  trip(argument: _rtt_panel_v1_BreakerRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  trip(argument: _rtt_panel_v1_BreakerRequest, callback: grpc.requestCallback<_rtt_panel_v1_BreakerReply__Output>): grpc.ClientUnaryCall;
  
}

export interface PanelHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Applies the panel's own plan (the workspace's files against the live wiring), when the plan
   * sent is that plan (else FAILED_PRECONDITION naming the first difference): its batches in
   * order, each a two-phase commit journaled in the WAL.
   */
  ApplyPlan: grpc.handleUnaryCall<_rtt_panel_v1_ApplyRequest__Output, _rtt_panel_v1_ApplyResult>;
  
  /**
   * The audit ledger's records (.rtt/audit/ledger.ndjson), oldest first; with `follow`, then
   * each new record as it is appended, until the caller cancels.
   */
  Audit: grpc.handleServerStreamingCall<_rtt_panel_v1_AuditQuery__Output, _rtt_panel_v1_AuditEvent>;
  
  /**
   * Runs the half-open test on a route's breaker (`rtt heal route/<id>`).
   */
  Heal: grpc.handleUnaryCall<_rtt_panel_v1_BreakerRequest__Output, _rtt_panel_v1_BreakerReply>;
  
  /**
   * A health sample of every wired route (or one), every interval, until the caller cancels.
   */
  Health: grpc.handleServerStreamingCall<_rtt_panel_v1_Selector__Output, _rtt_panel_v1_HealthSample>;
  
  /**
   * The wired routes with their links and a fresh health sample of each end.
   */
  ListRoutes: grpc.handleUnaryCall<_rtt_panel_v1_ListRoutesRequest__Output, _rtt_panel_v1_RouteList>;
  
  /**
   * The catalog's symbols (.rtt/catalog.json as the last `rtt scan` wrote it), filtered as
   * `rtt ls symbols [PATTERN] [--type TYPE]` filters them.
   */
  ListSymbols: grpc.handleServerStreamingCall<_rtt_panel_v1_Filter__Output, _rtt_panel_v1_Symbol>;
  
  /**
   * Computes the plan `rtt apply` would apply, against the panel's live topology: the workspace's
   * files as they are now. It changes nothing; ApplyPlan takes its plan_json as it is.
   */
  PlanRoutes: grpc.handleUnaryCall<_rtt_panel_v1_PlanRequest__Output, _rtt_panel_v1_Plan>;
  
  /**
   * QuickConnect (`rtt qc A -> B`): moves a wired route to another target at a frame boundary,
   * after the handshake with it; journaled and audited. A request/response route answers once
   * its reply lane is handed over (ADR 0013). The same swap again is a no-op.
   */
  QuickConnect: grpc.handleUnaryCall<_rtt_panel_v1_RouteSpec__Output, _rtt_panel_v1_QuickConnectAck>;
  
  /**
   * Restores the topology of an earlier commit through the same two-phase path.
   */
  Rollback: grpc.handleUnaryCall<_rtt_panel_v1_RollbackRequest__Output, _rtt_panel_v1_ApplyResult>;
  
  /**
   * The scan report of a panel that watches its scan roots (panel.yaml scan.watch), once every
   * change it has seen is scanned: what `rtt scan` prints, at the cost of a round trip. A panel
   * that does not watch answers `watching: false` (the caller scans itself).
   */
  Scan: grpc.handleUnaryCall<_rtt_panel_v1_ScanRequest__Output, _rtt_panel_v1_ScanResult>;
  
  /**
   * Stops the panel: stops every driver (closing its links), removes the socket, exits.
   */
  Shutdown: grpc.handleUnaryCall<_rtt_panel_v1_ShutdownRequest__Output, _rtt_panel_v1_ShutdownResponse>;
  
  /**
   * Who serves this workspace, since when, and what it keeps wired.
   */
  Status: grpc.handleUnaryCall<_rtt_panel_v1_StatusRequest__Output, _rtt_panel_v1_PanelStatus>;
  
  /**
   * Opens a route's circuit breaker (`rtt trip route/<id>`); it stays open until a Heal.
   */
  Trip: grpc.handleUnaryCall<_rtt_panel_v1_BreakerRequest__Output, _rtt_panel_v1_BreakerReply>;
  
}

export interface PanelDefinition extends grpc.ServiceDefinition {
  ApplyPlan: MethodDefinition<_rtt_panel_v1_ApplyRequest, _rtt_panel_v1_ApplyResult, _rtt_panel_v1_ApplyRequest__Output, _rtt_panel_v1_ApplyResult__Output>
  Audit: MethodDefinition<_rtt_panel_v1_AuditQuery, _rtt_panel_v1_AuditEvent, _rtt_panel_v1_AuditQuery__Output, _rtt_panel_v1_AuditEvent__Output>
  Heal: MethodDefinition<_rtt_panel_v1_BreakerRequest, _rtt_panel_v1_BreakerReply, _rtt_panel_v1_BreakerRequest__Output, _rtt_panel_v1_BreakerReply__Output>
  Health: MethodDefinition<_rtt_panel_v1_Selector, _rtt_panel_v1_HealthSample, _rtt_panel_v1_Selector__Output, _rtt_panel_v1_HealthSample__Output>
  ListRoutes: MethodDefinition<_rtt_panel_v1_ListRoutesRequest, _rtt_panel_v1_RouteList, _rtt_panel_v1_ListRoutesRequest__Output, _rtt_panel_v1_RouteList__Output>
  ListSymbols: MethodDefinition<_rtt_panel_v1_Filter, _rtt_panel_v1_Symbol, _rtt_panel_v1_Filter__Output, _rtt_panel_v1_Symbol__Output>
  PlanRoutes: MethodDefinition<_rtt_panel_v1_PlanRequest, _rtt_panel_v1_Plan, _rtt_panel_v1_PlanRequest__Output, _rtt_panel_v1_Plan__Output>
  QuickConnect: MethodDefinition<_rtt_panel_v1_RouteSpec, _rtt_panel_v1_QuickConnectAck, _rtt_panel_v1_RouteSpec__Output, _rtt_panel_v1_QuickConnectAck__Output>
  Rollback: MethodDefinition<_rtt_panel_v1_RollbackRequest, _rtt_panel_v1_ApplyResult, _rtt_panel_v1_RollbackRequest__Output, _rtt_panel_v1_ApplyResult__Output>
  Scan: MethodDefinition<_rtt_panel_v1_ScanRequest, _rtt_panel_v1_ScanResult, _rtt_panel_v1_ScanRequest__Output, _rtt_panel_v1_ScanResult__Output>
  Shutdown: MethodDefinition<_rtt_panel_v1_ShutdownRequest, _rtt_panel_v1_ShutdownResponse, _rtt_panel_v1_ShutdownRequest__Output, _rtt_panel_v1_ShutdownResponse__Output>
  Status: MethodDefinition<_rtt_panel_v1_StatusRequest, _rtt_panel_v1_PanelStatus, _rtt_panel_v1_StatusRequest__Output, _rtt_panel_v1_PanelStatus__Output>
  Trip: MethodDefinition<_rtt_panel_v1_BreakerRequest, _rtt_panel_v1_BreakerReply, _rtt_panel_v1_BreakerRequest__Output, _rtt_panel_v1_BreakerReply__Output>
}
