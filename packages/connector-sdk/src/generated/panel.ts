import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyRequest as _rtt_panel_v1_ApplyRequest, ApplyRequest__Output as _rtt_panel_v1_ApplyRequest__Output } from './rtt/panel/v1/ApplyRequest.ts';
import type { ApplyResult as _rtt_panel_v1_ApplyResult, ApplyResult__Output as _rtt_panel_v1_ApplyResult__Output } from './rtt/panel/v1/ApplyResult.ts';
import type { AuditEvent as _rtt_panel_v1_AuditEvent, AuditEvent__Output as _rtt_panel_v1_AuditEvent__Output } from './rtt/panel/v1/AuditEvent.ts';
import type { AuditQuery as _rtt_panel_v1_AuditQuery, AuditQuery__Output as _rtt_panel_v1_AuditQuery__Output } from './rtt/panel/v1/AuditQuery.ts';
import type { BatchResult as _rtt_panel_v1_BatchResult, BatchResult__Output as _rtt_panel_v1_BatchResult__Output } from './rtt/panel/v1/BatchResult.ts';
import type { BreakerReply as _rtt_panel_v1_BreakerReply, BreakerReply__Output as _rtt_panel_v1_BreakerReply__Output } from './rtt/panel/v1/BreakerReply.ts';
import type { BreakerRequest as _rtt_panel_v1_BreakerRequest, BreakerRequest__Output as _rtt_panel_v1_BreakerRequest__Output } from './rtt/panel/v1/BreakerRequest.ts';
import type { DriverStatus as _rtt_panel_v1_DriverStatus, DriverStatus__Output as _rtt_panel_v1_DriverStatus__Output } from './rtt/panel/v1/DriverStatus.ts';
import type { Filter as _rtt_panel_v1_Filter, Filter__Output as _rtt_panel_v1_Filter__Output } from './rtt/panel/v1/Filter.ts';
import type { HealthSample as _rtt_panel_v1_HealthSample, HealthSample__Output as _rtt_panel_v1_HealthSample__Output } from './rtt/panel/v1/HealthSample.ts';
import type { LinkState as _rtt_panel_v1_LinkState, LinkState__Output as _rtt_panel_v1_LinkState__Output } from './rtt/panel/v1/LinkState.ts';
import type { ListRoutesRequest as _rtt_panel_v1_ListRoutesRequest, ListRoutesRequest__Output as _rtt_panel_v1_ListRoutesRequest__Output } from './rtt/panel/v1/ListRoutesRequest.ts';
import type { LiveRoute as _rtt_panel_v1_LiveRoute, LiveRoute__Output as _rtt_panel_v1_LiveRoute__Output } from './rtt/panel/v1/LiveRoute.ts';
import type { PanelClient as _rtt_panel_v1_PanelClient, PanelDefinition as _rtt_panel_v1_PanelDefinition } from './rtt/panel/v1/Panel.ts';
import type { PanelStatus as _rtt_panel_v1_PanelStatus, PanelStatus__Output as _rtt_panel_v1_PanelStatus__Output } from './rtt/panel/v1/PanelStatus.ts';
import type { Plan as _rtt_panel_v1_Plan, Plan__Output as _rtt_panel_v1_Plan__Output } from './rtt/panel/v1/Plan.ts';
import type { PlanProblem as _rtt_panel_v1_PlanProblem, PlanProblem__Output as _rtt_panel_v1_PlanProblem__Output } from './rtt/panel/v1/PlanProblem.ts';
import type { PlanRequest as _rtt_panel_v1_PlanRequest, PlanRequest__Output as _rtt_panel_v1_PlanRequest__Output } from './rtt/panel/v1/PlanRequest.ts';
import type { QuickConnectAck as _rtt_panel_v1_QuickConnectAck, QuickConnectAck__Output as _rtt_panel_v1_QuickConnectAck__Output } from './rtt/panel/v1/QuickConnectAck.ts';
import type { RetiredTarget as _rtt_panel_v1_RetiredTarget, RetiredTarget__Output as _rtt_panel_v1_RetiredTarget__Output } from './rtt/panel/v1/RetiredTarget.ts';
import type { RollbackRequest as _rtt_panel_v1_RollbackRequest, RollbackRequest__Output as _rtt_panel_v1_RollbackRequest__Output } from './rtt/panel/v1/RollbackRequest.ts';
import type { RouteList as _rtt_panel_v1_RouteList, RouteList__Output as _rtt_panel_v1_RouteList__Output } from './rtt/panel/v1/RouteList.ts';
import type { RouteSpec as _rtt_panel_v1_RouteSpec, RouteSpec__Output as _rtt_panel_v1_RouteSpec__Output } from './rtt/panel/v1/RouteSpec.ts';
import type { SandboxStatus as _rtt_panel_v1_SandboxStatus, SandboxStatus__Output as _rtt_panel_v1_SandboxStatus__Output } from './rtt/panel/v1/SandboxStatus.ts';
import type { ScanRequest as _rtt_panel_v1_ScanRequest, ScanRequest__Output as _rtt_panel_v1_ScanRequest__Output } from './rtt/panel/v1/ScanRequest.ts';
import type { ScanResult as _rtt_panel_v1_ScanResult, ScanResult__Output as _rtt_panel_v1_ScanResult__Output } from './rtt/panel/v1/ScanResult.ts';
import type { Selector as _rtt_panel_v1_Selector, Selector__Output as _rtt_panel_v1_Selector__Output } from './rtt/panel/v1/Selector.ts';
import type { ShutdownRequest as _rtt_panel_v1_ShutdownRequest, ShutdownRequest__Output as _rtt_panel_v1_ShutdownRequest__Output } from './rtt/panel/v1/ShutdownRequest.ts';
import type { ShutdownResponse as _rtt_panel_v1_ShutdownResponse, ShutdownResponse__Output as _rtt_panel_v1_ShutdownResponse__Output } from './rtt/panel/v1/ShutdownResponse.ts';
import type { StatusRequest as _rtt_panel_v1_StatusRequest, StatusRequest__Output as _rtt_panel_v1_StatusRequest__Output } from './rtt/panel/v1/StatusRequest.ts';
import type { Symbol as _rtt_panel_v1_Symbol, Symbol__Output as _rtt_panel_v1_Symbol__Output } from './rtt/panel/v1/Symbol.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  rtt: {
    panel: {
      v1: {
        ApplyRequest: MessageTypeDefinition<_rtt_panel_v1_ApplyRequest, _rtt_panel_v1_ApplyRequest__Output>
        ApplyResult: MessageTypeDefinition<_rtt_panel_v1_ApplyResult, _rtt_panel_v1_ApplyResult__Output>
        AuditEvent: MessageTypeDefinition<_rtt_panel_v1_AuditEvent, _rtt_panel_v1_AuditEvent__Output>
        AuditQuery: MessageTypeDefinition<_rtt_panel_v1_AuditQuery, _rtt_panel_v1_AuditQuery__Output>
        BatchResult: MessageTypeDefinition<_rtt_panel_v1_BatchResult, _rtt_panel_v1_BatchResult__Output>
        BreakerReply: MessageTypeDefinition<_rtt_panel_v1_BreakerReply, _rtt_panel_v1_BreakerReply__Output>
        BreakerRequest: MessageTypeDefinition<_rtt_panel_v1_BreakerRequest, _rtt_panel_v1_BreakerRequest__Output>
        DriverStatus: MessageTypeDefinition<_rtt_panel_v1_DriverStatus, _rtt_panel_v1_DriverStatus__Output>
        Filter: MessageTypeDefinition<_rtt_panel_v1_Filter, _rtt_panel_v1_Filter__Output>
        HealthSample: MessageTypeDefinition<_rtt_panel_v1_HealthSample, _rtt_panel_v1_HealthSample__Output>
        LinkState: MessageTypeDefinition<_rtt_panel_v1_LinkState, _rtt_panel_v1_LinkState__Output>
        ListRoutesRequest: MessageTypeDefinition<_rtt_panel_v1_ListRoutesRequest, _rtt_panel_v1_ListRoutesRequest__Output>
        LiveRoute: MessageTypeDefinition<_rtt_panel_v1_LiveRoute, _rtt_panel_v1_LiveRoute__Output>
        Panel: SubtypeConstructor<typeof grpc.Client, _rtt_panel_v1_PanelClient> & { service: _rtt_panel_v1_PanelDefinition }
        PanelStatus: MessageTypeDefinition<_rtt_panel_v1_PanelStatus, _rtt_panel_v1_PanelStatus__Output>
        Plan: MessageTypeDefinition<_rtt_panel_v1_Plan, _rtt_panel_v1_Plan__Output>
        PlanProblem: MessageTypeDefinition<_rtt_panel_v1_PlanProblem, _rtt_panel_v1_PlanProblem__Output>
        PlanRequest: MessageTypeDefinition<_rtt_panel_v1_PlanRequest, _rtt_panel_v1_PlanRequest__Output>
        QuickConnectAck: MessageTypeDefinition<_rtt_panel_v1_QuickConnectAck, _rtt_panel_v1_QuickConnectAck__Output>
        RetiredTarget: MessageTypeDefinition<_rtt_panel_v1_RetiredTarget, _rtt_panel_v1_RetiredTarget__Output>
        RollbackRequest: MessageTypeDefinition<_rtt_panel_v1_RollbackRequest, _rtt_panel_v1_RollbackRequest__Output>
        RouteList: MessageTypeDefinition<_rtt_panel_v1_RouteList, _rtt_panel_v1_RouteList__Output>
        RouteSpec: MessageTypeDefinition<_rtt_panel_v1_RouteSpec, _rtt_panel_v1_RouteSpec__Output>
        SandboxStatus: MessageTypeDefinition<_rtt_panel_v1_SandboxStatus, _rtt_panel_v1_SandboxStatus__Output>
        ScanRequest: MessageTypeDefinition<_rtt_panel_v1_ScanRequest, _rtt_panel_v1_ScanRequest__Output>
        ScanResult: MessageTypeDefinition<_rtt_panel_v1_ScanResult, _rtt_panel_v1_ScanResult__Output>
        Selector: MessageTypeDefinition<_rtt_panel_v1_Selector, _rtt_panel_v1_Selector__Output>
        ShutdownRequest: MessageTypeDefinition<_rtt_panel_v1_ShutdownRequest, _rtt_panel_v1_ShutdownRequest__Output>
        ShutdownResponse: MessageTypeDefinition<_rtt_panel_v1_ShutdownResponse, _rtt_panel_v1_ShutdownResponse__Output>
        StatusRequest: MessageTypeDefinition<_rtt_panel_v1_StatusRequest, _rtt_panel_v1_StatusRequest__Output>
        Symbol: MessageTypeDefinition<_rtt_panel_v1_Symbol, _rtt_panel_v1_Symbol__Output>
      }
    }
  }
}

