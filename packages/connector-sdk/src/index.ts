/**
 * @rtt/connector-sdk — how RTT talks to the outside world through driver processes: the
 * author-facing `defineConnector` and the driver runtime that serves it (handshake, gRPC,
 * lane pumping, heartbeats, grace period), and the host side (`DriverHost`) that launches,
 * verifies, restarts and re-attaches drivers. The wire contract is proto/rtt/v1/connector.proto.
 */

export { BoundedQueue, type WaterMarks } from "@rtt/fabric";
export { type Clock, FakeClock, systemClock } from "./clock.ts";
export {
  checkDriver,
  DRIVER_CHECKS,
  type DriverCheckOptions,
} from "./conformance/driver-check.ts";
export type { CheckResult, Verdict } from "./conformance/report.ts";
export { contractFromFile } from "./conformance/symbol.ts";
export {
  type Awaitable,
  type CloseHow,
  type CloseReport,
  type Connector,
  type ConnectorSpec,
  defineConnector,
  describeClose,
  isConnector,
  type LinkHealth,
  type OpenContext,
  type RxMessage,
  type RxTakeNow,
  type TxManyResult,
  type TxMeta,
  takeNowOf,
} from "./driver/define-connector.ts";
export { type FoundManifest, findManifests } from "./driver/find-manifests.ts";
export { type InProcessDriver, startConnectorInProcess } from "./driver/harness.ts";
export {
  type JournalReplayer,
  JournalTee,
  type SourceJournal,
  TeeMember,
} from "./driver/journal-tee.ts";
export type { LaneSide } from "./driver/lane-slots.ts";
export {
  asProgramRecord,
  endRecordedProgram,
  type ProgramRecord,
  readProgramRecord,
  startedWith,
  stopRecordedPrograms,
  writeProgramRecord,
  writeProgramRecordFile,
} from "./driver/program-record.ts";
export {
  type ControlAddresses,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  type HandshakeAgreed,
} from "./driver/route-handshake.ts";
export {
  DeliveredMark,
  RouteJournal,
  readDeliveredMark,
} from "./driver/route-journal.ts";
export {
  DriverRuntime,
  type HealthSampleOut,
  type ProbedSymbolOut,
  type RuntimeOptions,
} from "./driver/runtime.ts";
export { RxQueue } from "./driver/rx-queue.ts";
export type { RxTap } from "./driver/rx-taps.ts";
export { type ServeOptions, serveDriver } from "./driver/serve.ts";
export { SHARED_SOURCE_FILE } from "./driver/shared-sources.ts";
export { fsyncPath, writeFileAtomic } from "./files/atomic-write.ts";
export {
  type ConfinedFd,
  type ConfinedHow,
  type ConfinedOptions,
  connectConfined,
  openConfined,
} from "./files/open-confined.ts";
export {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  privateDir,
} from "./files/private-state.ts";
export {
  assertPathAllowed,
  locatePath,
  pathOutside,
  realLocation,
} from "./files/real-location.ts";
export {
  formatHandshake,
  formatRefusal,
  HANDSHAKE_FIELDS,
  type Handshake,
  type HandshakeField,
  HandshakeSyntaxError,
  parseHandshake,
  parseRefusal,
  type Refusal,
} from "./handshake/handshake-line.ts";
export {
  declaredLanes,
  lanesOfLine,
  localLanes,
  UNDECLARED_LANES,
} from "./handshake/lane-kinds.ts";
export {
  COOKIE_ENV,
  COOKIE_VALUE,
  CORE_PROTOCOL_VERSION,
  DEFAULT_GRACE_MS,
  DEFAULT_HEARTBEAT_MS,
  GRACE_ENV,
  HANDSHAKE_FD,
  HEARTBEAT_ENV,
  negotiateVersion,
  PROTOCOL_VERSIONS_ENV,
  parseVersionList,
  SDK_PROTOCOL_VERSIONS,
  SDK_VERSION,
  SOCKET_DIR_ENV,
} from "./handshake/protocol.ts";
export {
  DriverClient,
  type DriverClientOptions,
  type HandshakeOptions,
  type ListedLink,
  type OfferGrant,
} from "./host/driver-client.ts";
export {
  type DetachedDriver,
  type DriverExit,
  DriverHost,
  type DriverHostEvents,
  type DriverHostOptions,
} from "./host/driver-host.ts";
export type { DriverLogLine } from "./host/driver-log.ts";
export { type DriverLaunch, exitThroughWrapper } from "./host/launch.ts";
export { LineSplitter, OutputTail } from "./host/output-lines.ts";
export type { DriverRestart } from "./host/restart-pacer.ts";
export { DriverStartError } from "./host/start-outcome.ts";
export type { DriverRecord } from "./host/verified-connect.ts";
export { accepts, MAX_START_WAIT_MS } from "./process/accepts.ts";
export {
  DEFAULT_DRAIN_MS,
  type DrainEnd,
  type DrainOptions,
  drain,
} from "./process/drain.ts";
export { programArgv } from "./process/program-argv.ts";
export {
  type AdoptedExit,
  describeExit,
  type ExitStatus,
  exitOfAdopted,
  exitOfChild,
  type ProgramExit,
} from "./process/program-exit.ts";
export {
  type ProgramHealth,
  RESPAWN_POLICIES,
  type RespawnPolicy,
  type SupervisedProgram,
  Supervisor,
  type SupervisorEvents,
  type SupervisorOptions,
} from "./process/supervisor.ts";
export {
  type ChildTarget,
  childTarget,
  leftoverGroup,
  type ProcessTarget,
  signalProcess,
  type Terminated,
  type TerminateOptions,
  terminate,
} from "./process/terminate.ts";
export {
  isAlive,
  type ProcessRef,
  processRef,
  type SameProcessOptions,
  sameProcess,
  TRUST_UNKNOWN_START,
} from "./process-identity.ts";
export {
  type Ack,
  type Bind,
  type BufferParams,
  CONTROL_TYPES,
  CONTROL_VERSION,
  type ControlKind,
  type ControlLanes,
  type ControlMessage,
  controlKindOf,
  DEFAULT_LINK_HEARTBEAT_MS,
  DEFAULT_RING_CAPACITY,
  type EstablishedLink,
  encodeControl,
  type Heartbeat,
  type InitiateOptions,
  Initiator,
  initiate,
  MAX_CONTROL_PAYLOAD,
  parseControl,
  QuickConnectError,
  Responder,
  type RespondOptions,
  respond,
  type Syn,
  TRIP_REASONS,
  type Trip,
  type TripReason,
  tripCode,
} from "./quickconnect/index.ts";
export { type ServerStream, type StreamFailure, serverStream } from "./server-stream.ts";
export {
  openStateFile,
  RTT_DIR,
  readStateBytes,
  readStateFile,
  refuseLinks,
} from "./state-files.ts";
export {
  callUnary,
  type UnaryFailures,
  type UnaryInvocation,
  unaryHandler,
} from "./unary.ts";
export type {
  ApplyResultIn,
  ApplyResultMessage,
  AuditEventIn,
  AuditEventMessage,
  AuditQueryIn,
  DriverInfo,
  HealthSample,
  HealthSelectorIn,
  LinkStateIn,
  LiveRouteIn,
  PanelClient,
  PanelHandlers,
  PanelStatusIn,
  PanelStatusMessage,
  PanelSymbolIn,
  PanelSymbolMessage,
  PlanIn,
  PlanMessage,
  ProbedSymbol,
  RouteHealthIn,
  RouteHealthMessage,
  RouteListMessage,
  RxChunk,
  ScanResultIn,
  ScanResultMessage,
  SymbolFilterIn,
} from "./wire.ts";
export {
  grpcTarget,
  LOCAL_CHANNEL_OPTIONS,
  LOCAL_SERVER_OPTIONS,
  loadProtoDefinition,
  PANEL_PROTO_PATH,
  panelPackage,
  panelPackageDefinition,
  sentRttError,
  toServiceError,
} from "./wire.ts";
