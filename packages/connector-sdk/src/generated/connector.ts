import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BindRequest as _rtt_connector_v1_BindRequest, BindRequest__Output as _rtt_connector_v1_BindRequest__Output } from './rtt/connector/v1/BindRequest.ts';
import type { BindResponse as _rtt_connector_v1_BindResponse, BindResponse__Output as _rtt_connector_v1_BindResponse__Output } from './rtt/connector/v1/BindResponse.ts';
import type { CloseRequest as _rtt_connector_v1_CloseRequest, CloseRequest__Output as _rtt_connector_v1_CloseRequest__Output } from './rtt/connector/v1/CloseRequest.ts';
import type { CloseResponse as _rtt_connector_v1_CloseResponse, CloseResponse__Output as _rtt_connector_v1_CloseResponse__Output } from './rtt/connector/v1/CloseResponse.ts';
import type { ConnectorClient as _rtt_connector_v1_ConnectorClient, ConnectorDefinition as _rtt_connector_v1_ConnectorDefinition } from './rtt/connector/v1/Connector.ts';
import type { ControlLanes as _rtt_connector_v1_ControlLanes, ControlLanes__Output as _rtt_connector_v1_ControlLanes__Output } from './rtt/connector/v1/ControlLanes.ts';
import type { DriverInfo as _rtt_connector_v1_DriverInfo, DriverInfo__Output as _rtt_connector_v1_DriverInfo__Output } from './rtt/connector/v1/DriverInfo.ts';
import type { GetInfoRequest as _rtt_connector_v1_GetInfoRequest, GetInfoRequest__Output as _rtt_connector_v1_GetInfoRequest__Output } from './rtt/connector/v1/GetInfoRequest.ts';
import type { HandshakeRequest as _rtt_connector_v1_HandshakeRequest, HandshakeRequest__Output as _rtt_connector_v1_HandshakeRequest__Output } from './rtt/connector/v1/HandshakeRequest.ts';
import type { HandshakeResponse as _rtt_connector_v1_HandshakeResponse, HandshakeResponse__Output as _rtt_connector_v1_HandshakeResponse__Output } from './rtt/connector/v1/HandshakeResponse.ts';
import type { HealthRequest as _rtt_connector_v1_HealthRequest, HealthRequest__Output as _rtt_connector_v1_HealthRequest__Output } from './rtt/connector/v1/HealthRequest.ts';
import type { HealthSample as _rtt_connector_v1_HealthSample, HealthSample__Output as _rtt_connector_v1_HealthSample__Output } from './rtt/connector/v1/HealthSample.ts';
import type { InprocLane as _rtt_connector_v1_InprocLane, InprocLane__Output as _rtt_connector_v1_InprocLane__Output } from './rtt/connector/v1/InprocLane.ts';
import type { LaneAddress as _rtt_connector_v1_LaneAddress, LaneAddress__Output as _rtt_connector_v1_LaneAddress__Output } from './rtt/connector/v1/LaneAddress.ts';
import type { ListLinksRequest as _rtt_connector_v1_ListLinksRequest, ListLinksRequest__Output as _rtt_connector_v1_ListLinksRequest__Output } from './rtt/connector/v1/ListLinksRequest.ts';
import type { ListLinksResponse as _rtt_connector_v1_ListLinksResponse, ListLinksResponse__Output as _rtt_connector_v1_ListLinksResponse__Output } from './rtt/connector/v1/ListLinksResponse.ts';
import type { OfferRequest as _rtt_connector_v1_OfferRequest, OfferRequest__Output as _rtt_connector_v1_OfferRequest__Output } from './rtt/connector/v1/OfferRequest.ts';
import type { OfferResponse as _rtt_connector_v1_OfferResponse, OfferResponse__Output as _rtt_connector_v1_OfferResponse__Output } from './rtt/connector/v1/OfferResponse.ts';
import type { OpenLink as _rtt_connector_v1_OpenLink, OpenLink__Output as _rtt_connector_v1_OpenLink__Output } from './rtt/connector/v1/OpenLink.ts';
import type { OpenRequest as _rtt_connector_v1_OpenRequest, OpenRequest__Output as _rtt_connector_v1_OpenRequest__Output } from './rtt/connector/v1/OpenRequest.ts';
import type { OpenResponse as _rtt_connector_v1_OpenResponse, OpenResponse__Output as _rtt_connector_v1_OpenResponse__Output } from './rtt/connector/v1/OpenResponse.ts';
import type { ProbeRequest as _rtt_connector_v1_ProbeRequest, ProbeRequest__Output as _rtt_connector_v1_ProbeRequest__Output } from './rtt/connector/v1/ProbeRequest.ts';
import type { ProbeResponse as _rtt_connector_v1_ProbeResponse, ProbeResponse__Output as _rtt_connector_v1_ProbeResponse__Output } from './rtt/connector/v1/ProbeResponse.ts';
import type { ProgramDrain as _rtt_connector_v1_ProgramDrain, ProgramDrain__Output as _rtt_connector_v1_ProgramDrain__Output } from './rtt/connector/v1/ProgramDrain.ts';
import type { RxChunk as _rtt_connector_v1_RxChunk, RxChunk__Output as _rtt_connector_v1_RxChunk__Output } from './rtt/connector/v1/RxChunk.ts';
import type { RxRequest as _rtt_connector_v1_RxRequest, RxRequest__Output as _rtt_connector_v1_RxRequest__Output } from './rtt/connector/v1/RxRequest.ts';
import type { ShmLane as _rtt_connector_v1_ShmLane, ShmLane__Output as _rtt_connector_v1_ShmLane__Output } from './rtt/connector/v1/ShmLane.ts';
import type { ShutdownRequest as _rtt_connector_v1_ShutdownRequest, ShutdownRequest__Output as _rtt_connector_v1_ShutdownRequest__Output } from './rtt/connector/v1/ShutdownRequest.ts';
import type { ShutdownResponse as _rtt_connector_v1_ShutdownResponse, ShutdownResponse__Output as _rtt_connector_v1_ShutdownResponse__Output } from './rtt/connector/v1/ShutdownResponse.ts';
import type { SwitchRequest as _rtt_connector_v1_SwitchRequest, SwitchRequest__Output as _rtt_connector_v1_SwitchRequest__Output } from './rtt/connector/v1/SwitchRequest.ts';
import type { SwitchResponse as _rtt_connector_v1_SwitchResponse, SwitchResponse__Output as _rtt_connector_v1_SwitchResponse__Output } from './rtt/connector/v1/SwitchResponse.ts';
import type { Symbol as _rtt_connector_v1_Symbol, Symbol__Output as _rtt_connector_v1_Symbol__Output } from './rtt/connector/v1/Symbol.ts';
import type { TcpLane as _rtt_connector_v1_TcpLane, TcpLane__Output as _rtt_connector_v1_TcpLane__Output } from './rtt/connector/v1/TcpLane.ts';
import type { ThrottleRequest as _rtt_connector_v1_ThrottleRequest, ThrottleRequest__Output as _rtt_connector_v1_ThrottleRequest__Output } from './rtt/connector/v1/ThrottleRequest.ts';
import type { ThrottleResponse as _rtt_connector_v1_ThrottleResponse, ThrottleResponse__Output as _rtt_connector_v1_ThrottleResponse__Output } from './rtt/connector/v1/ThrottleResponse.ts';
import type { TxRequest as _rtt_connector_v1_TxRequest, TxRequest__Output as _rtt_connector_v1_TxRequest__Output } from './rtt/connector/v1/TxRequest.ts';
import type { TxResponse as _rtt_connector_v1_TxResponse, TxResponse__Output as _rtt_connector_v1_TxResponse__Output } from './rtt/connector/v1/TxResponse.ts';
import type { UdsLane as _rtt_connector_v1_UdsLane, UdsLane__Output as _rtt_connector_v1_UdsLane__Output } from './rtt/connector/v1/UdsLane.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  rtt: {
    connector: {
      v1: {
        BindRequest: MessageTypeDefinition<_rtt_connector_v1_BindRequest, _rtt_connector_v1_BindRequest__Output>
        BindResponse: MessageTypeDefinition<_rtt_connector_v1_BindResponse, _rtt_connector_v1_BindResponse__Output>
        CloseRequest: MessageTypeDefinition<_rtt_connector_v1_CloseRequest, _rtt_connector_v1_CloseRequest__Output>
        CloseResponse: MessageTypeDefinition<_rtt_connector_v1_CloseResponse, _rtt_connector_v1_CloseResponse__Output>
        /**
         * One driver process: it finds symbols, opens links to them and pumps each link's bytes
         * between the outside world and the lanes the host binds to it. The host never carries data
         * bytes itself; Tx and Rx exist for taps and tests only.
         */
        Connector: SubtypeConstructor<typeof grpc.Client, _rtt_connector_v1_ConnectorClient> & { service: _rtt_connector_v1_ConnectorDefinition }
        ControlLanes: MessageTypeDefinition<_rtt_connector_v1_ControlLanes, _rtt_connector_v1_ControlLanes__Output>
        DriverInfo: MessageTypeDefinition<_rtt_connector_v1_DriverInfo, _rtt_connector_v1_DriverInfo__Output>
        GetInfoRequest: MessageTypeDefinition<_rtt_connector_v1_GetInfoRequest, _rtt_connector_v1_GetInfoRequest__Output>
        HandshakeRequest: MessageTypeDefinition<_rtt_connector_v1_HandshakeRequest, _rtt_connector_v1_HandshakeRequest__Output>
        HandshakeResponse: MessageTypeDefinition<_rtt_connector_v1_HandshakeResponse, _rtt_connector_v1_HandshakeResponse__Output>
        HealthRequest: MessageTypeDefinition<_rtt_connector_v1_HealthRequest, _rtt_connector_v1_HealthRequest__Output>
        HealthSample: MessageTypeDefinition<_rtt_connector_v1_HealthSample, _rtt_connector_v1_HealthSample__Output>
        InprocLane: MessageTypeDefinition<_rtt_connector_v1_InprocLane, _rtt_connector_v1_InprocLane__Output>
        LaneAddress: MessageTypeDefinition<_rtt_connector_v1_LaneAddress, _rtt_connector_v1_LaneAddress__Output>
        LaneSide: EnumTypeDefinition
        ListLinksRequest: MessageTypeDefinition<_rtt_connector_v1_ListLinksRequest, _rtt_connector_v1_ListLinksRequest__Output>
        ListLinksResponse: MessageTypeDefinition<_rtt_connector_v1_ListLinksResponse, _rtt_connector_v1_ListLinksResponse__Output>
        OfferRequest: MessageTypeDefinition<_rtt_connector_v1_OfferRequest, _rtt_connector_v1_OfferRequest__Output>
        OfferResponse: MessageTypeDefinition<_rtt_connector_v1_OfferResponse, _rtt_connector_v1_OfferResponse__Output>
        OpenLink: MessageTypeDefinition<_rtt_connector_v1_OpenLink, _rtt_connector_v1_OpenLink__Output>
        OpenRequest: MessageTypeDefinition<_rtt_connector_v1_OpenRequest, _rtt_connector_v1_OpenRequest__Output>
        OpenResponse: MessageTypeDefinition<_rtt_connector_v1_OpenResponse, _rtt_connector_v1_OpenResponse__Output>
        ProbeRequest: MessageTypeDefinition<_rtt_connector_v1_ProbeRequest, _rtt_connector_v1_ProbeRequest__Output>
        ProbeResponse: MessageTypeDefinition<_rtt_connector_v1_ProbeResponse, _rtt_connector_v1_ProbeResponse__Output>
        ProgramDrain: MessageTypeDefinition<_rtt_connector_v1_ProgramDrain, _rtt_connector_v1_ProgramDrain__Output>
        RxChunk: MessageTypeDefinition<_rtt_connector_v1_RxChunk, _rtt_connector_v1_RxChunk__Output>
        RxRequest: MessageTypeDefinition<_rtt_connector_v1_RxRequest, _rtt_connector_v1_RxRequest__Output>
        ShmLane: MessageTypeDefinition<_rtt_connector_v1_ShmLane, _rtt_connector_v1_ShmLane__Output>
        ShutdownRequest: MessageTypeDefinition<_rtt_connector_v1_ShutdownRequest, _rtt_connector_v1_ShutdownRequest__Output>
        ShutdownResponse: MessageTypeDefinition<_rtt_connector_v1_ShutdownResponse, _rtt_connector_v1_ShutdownResponse__Output>
        SwitchRequest: MessageTypeDefinition<_rtt_connector_v1_SwitchRequest, _rtt_connector_v1_SwitchRequest__Output>
        SwitchResponse: MessageTypeDefinition<_rtt_connector_v1_SwitchResponse, _rtt_connector_v1_SwitchResponse__Output>
        Symbol: MessageTypeDefinition<_rtt_connector_v1_Symbol, _rtt_connector_v1_Symbol__Output>
        TcpLane: MessageTypeDefinition<_rtt_connector_v1_TcpLane, _rtt_connector_v1_TcpLane__Output>
        ThrottleRequest: MessageTypeDefinition<_rtt_connector_v1_ThrottleRequest, _rtt_connector_v1_ThrottleRequest__Output>
        ThrottleResponse: MessageTypeDefinition<_rtt_connector_v1_ThrottleResponse, _rtt_connector_v1_ThrottleResponse__Output>
        TxRequest: MessageTypeDefinition<_rtt_connector_v1_TxRequest, _rtt_connector_v1_TxRequest__Output>
        TxResponse: MessageTypeDefinition<_rtt_connector_v1_TxResponse, _rtt_connector_v1_TxResponse__Output>
        UdsLane: MessageTypeDefinition<_rtt_connector_v1_UdsLane, _rtt_connector_v1_UdsLane__Output>
      }
    }
  }
}

