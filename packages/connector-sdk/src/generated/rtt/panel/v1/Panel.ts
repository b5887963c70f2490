// Original file: proto/rtt/v1/panel.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _rtt_panel_v1_ApplyRequest, ApplyRequest__Output as _rtt_panel_v1_ApplyRequest__Output } from '../../../rtt/panel/v1/ApplyRequest.ts';
import type { ApplyResult as _rtt_panel_v1_ApplyResult, ApplyResult__Output as _rtt_panel_v1_ApplyResult__Output } from '../../../rtt/panel/v1/ApplyResult.ts';
import type { ListRoutesRequest as _rtt_panel_v1_ListRoutesRequest, ListRoutesRequest__Output as _rtt_panel_v1_ListRoutesRequest__Output } from '../../../rtt/panel/v1/ListRoutesRequest.ts';
import type { PanelStatus as _rtt_panel_v1_PanelStatus, PanelStatus__Output as _rtt_panel_v1_PanelStatus__Output } from '../../../rtt/panel/v1/PanelStatus.ts';
import type { RollbackRequest as _rtt_panel_v1_RollbackRequest, RollbackRequest__Output as _rtt_panel_v1_RollbackRequest__Output } from '../../../rtt/panel/v1/RollbackRequest.ts';
import type { RouteList as _rtt_panel_v1_RouteList, RouteList__Output as _rtt_panel_v1_RouteList__Output } from '../../../rtt/panel/v1/RouteList.ts';
import type { ShutdownRequest as _rtt_panel_v1_ShutdownRequest, ShutdownRequest__Output as _rtt_panel_v1_ShutdownRequest__Output } from '../../../rtt/panel/v1/ShutdownRequest.ts';
import type { ShutdownResponse as _rtt_panel_v1_ShutdownResponse, ShutdownResponse__Output as _rtt_panel_v1_ShutdownResponse__Output } from '../../../rtt/panel/v1/ShutdownResponse.ts';
import type { StatusRequest as _rtt_panel_v1_StatusRequest, StatusRequest__Output as _rtt_panel_v1_StatusRequest__Output } from '../../../rtt/panel/v1/StatusRequest.ts';

export interface PanelClient extends grpc.Client {
  /**
   * Applies a plan: its batches in order, each a two-phase commit journaled in the WAL.
   */
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  ApplyPlan(argument: _rtt_panel_v1_ApplyRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  /**
   * Applies a plan: its batches in order, each a two-phase commit journaled in the WAL.
   */
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  applyPlan(argument: _rtt_panel_v1_ApplyRequest, callback: grpc.requestCallback<_rtt_panel_v1_ApplyResult__Output>): grpc.ClientUnaryCall;
  
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
  
}

export interface PanelHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Applies a plan: its batches in order, each a two-phase commit journaled in the WAL.
   */
  ApplyPlan: grpc.handleUnaryCall<_rtt_panel_v1_ApplyRequest__Output, _rtt_panel_v1_ApplyResult>;
  
  /**
   * The wired routes with their links and a fresh health sample of each end.
   */
  ListRoutes: grpc.handleUnaryCall<_rtt_panel_v1_ListRoutesRequest__Output, _rtt_panel_v1_RouteList>;
  
  /**
   * Restores the topology of an earlier commit through the same two-phase path.
   */
  Rollback: grpc.handleUnaryCall<_rtt_panel_v1_RollbackRequest__Output, _rtt_panel_v1_ApplyResult>;
  
  /**
   * Stops the panel: stops every driver (closing its links), removes the socket, exits.
   */
  Shutdown: grpc.handleUnaryCall<_rtt_panel_v1_ShutdownRequest__Output, _rtt_panel_v1_ShutdownResponse>;
  
  /**
   * Who serves this workspace, since when, and what it keeps wired.
   */
  Status: grpc.handleUnaryCall<_rtt_panel_v1_StatusRequest__Output, _rtt_panel_v1_PanelStatus>;
  
}

export interface PanelDefinition extends grpc.ServiceDefinition {
  ApplyPlan: MethodDefinition<_rtt_panel_v1_ApplyRequest, _rtt_panel_v1_ApplyResult, _rtt_panel_v1_ApplyRequest__Output, _rtt_panel_v1_ApplyResult__Output>
  ListRoutes: MethodDefinition<_rtt_panel_v1_ListRoutesRequest, _rtt_panel_v1_RouteList, _rtt_panel_v1_ListRoutesRequest__Output, _rtt_panel_v1_RouteList__Output>
  Rollback: MethodDefinition<_rtt_panel_v1_RollbackRequest, _rtt_panel_v1_ApplyResult, _rtt_panel_v1_RollbackRequest__Output, _rtt_panel_v1_ApplyResult__Output>
  Shutdown: MethodDefinition<_rtt_panel_v1_ShutdownRequest, _rtt_panel_v1_ShutdownResponse, _rtt_panel_v1_ShutdownRequest__Output, _rtt_panel_v1_ShutdownResponse__Output>
  Status: MethodDefinition<_rtt_panel_v1_StatusRequest, _rtt_panel_v1_PanelStatus, _rtt_panel_v1_StatusRequest__Output, _rtt_panel_v1_PanelStatus__Output>
}
