/**
 * @rtt/panel — RTT's control plane: the workspace (`.rtt/` layout, panel.yaml, `rtt init`), the
 * scanner and its catalog, compat, policy, the router, plans, the reconciler, the WAL, the audit
 * ledger, route health and breakers, and the daemon that serves them.
 */

export {
  type AnchorFinding,
  type AnchorProblem,
  checkAnchors,
  checkWorkspaceLedger,
  walAnchors,
} from "./audit/anchor.ts";
export { AuditLedger } from "./audit/ledger.ts";
export {
  type AuditLedgerOptions,
  appendAudit,
  checkLedgerFile,
  headPath,
  readHead,
  readTail,
} from "./audit/ledger-file.ts";
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditHead,
  type AuditRecord,
  currentWho,
  GENESIS_HASH,
  recordHash,
  recordLine,
} from "./audit/record.ts";
export { type LedgerSalvage, salvageLedger } from "./audit/salvage-ledger.ts";
export { type LedgerProblem, type LedgerVerdict, verifyLedger } from "./audit/verify.ts";
export {
  CATALOG_FORMAT,
  type Catalog,
  type Conflict,
  explainResolution,
  type Resolution,
  readCatalog,
  resolveSelector,
} from "./catalog.ts";
export {
  COMPAT_CODES,
  type Coercer,
  type Coercion,
  type CompatCode,
  type CompatOptions,
  type CompatReason,
  type CompatResult,
  compat,
  OPTIONAL_CAPS_PARAM,
  optionalCapsFromParams,
} from "./compat/compat.ts";
export { type LiveWiring, PanelConnection } from "./daemon/client.ts";
export { PanelDaemon, type PanelDaemonOptions } from "./daemon/daemon.ts";
export { isDegraded, realEnd, stubEnd } from "./daemon/degrade.ts";
export { BUILT_IN_DRIVERS, driverLaunch, HostPool } from "./daemon/host-pool.ts";
export { socketPathOf } from "./daemon/panel-server.ts";
export {
  BREAKER_DEFAULTS,
  BREAKER_STATES,
  type BreakerConfig,
  type BreakerEvent,
  type BreakerState,
  type BreakerTransition,
  breakerConfig,
  newBreaker,
  nextDeadline,
  RouteSamples,
  type RouteStats,
  restoreBreaker,
  sloObservation,
  stepBreaker,
} from "./health/index.ts";
export {
  committedTopology,
  DEFAULT_PREFER,
  loadPlanInputs,
  loadPolicy,
  loadTrust,
} from "./plan/inputs.ts";
export {
  batchEdits,
  desiredGraph,
  diffTopologies,
  type Edit,
  inPlaceMoves,
  inputsHash,
  makePlan,
  movesTargetOnly,
  NOT_STRICT,
  PLAN_FORMAT,
  type Plan,
  type PlanInputs,
  type PlannedRoute,
  type PlanSecurity,
  planProblems,
  refuseUnwirable,
} from "./plan/plan.ts";
export { parsePlan, readPlanFile } from "./plan/plan-file.ts";
export {
  asTopology,
  driverFor,
  type Edge,
  type EdgeEnd,
  type EdgeLinks,
  EMPTY_TOPOLOGY,
  edgeKey,
  type LinkPattern,
  patternOf,
  STUB_DRIVER,
  TOPOLOGY_FORMAT,
  type Topology,
  topologyHash,
  topologyKey,
  topologyOf,
} from "./plan/topology.ts";
export {
  type AclDecision,
  type AclRuleRef,
  compilePolicy,
  covers,
  type DecideOptions,
  type EffectiveQos,
  type FailoverDecision,
  type PinDecision,
  type PolicyEngine,
  PolicyError,
  type PolicyRuleKind,
  type PolicyRuleRef,
  QOS_DEFAULTS,
  QOS_FIELDS,
  type QosDecision,
  type QosField,
} from "./policy/policy-engine.ts";
export { drainMsOf } from "./reconcile/close-deadlines.ts";
export {
  contractForDriver,
  type DriverCalls,
  type DriverPool,
  type LinkRef,
} from "./reconcile/drivers.ts";
export { graphOf, type PanelGraph, type WiredRoute, wiredRoutesOf } from "./reconcile/graph.ts";
export { MemoryPool, memoryConnector, received } from "./reconcile/memory-drivers.ts";
export {
  APPLY_STEPS,
  type ApplyResult,
  type ApplyStep,
  Reconciler,
  type ReconcilerOptions,
} from "./reconcile/reconciler.ts";
export {
  describeRetired,
  type RetiredTarget,
  reattachable,
} from "./reconcile/retire-target.ts";
export {
  type CandidateDecision,
  type CandidateVerdict,
  HARD_STEPS,
  HEALTH_ERR_SLACK,
  HEALTH_P95_FACTOR,
  HEALTH_P95_SLACK_MS,
  type HealthSample,
  INPROC_CAP,
  type ManifestTrust,
  manifestTrust,
  ROUTER_STEPS,
  type RouteContext,
  type RouteDecision,
  type RouterStep,
  routeDecision,
} from "./router/router.ts";
export {
  type EndResolution,
  loadRoutes,
  type RouteResolution,
  resolveRoutes,
  routeId,
} from "./routes.ts";
export {
  DriverSandbox,
  type SandboxLevel,
  type SandboxStatus,
} from "./sandbox/driver-sandbox.ts";
export { probeBwrap, type ToolProbe } from "./sandbox/probe.ts";
export type { SbomInput } from "./sbom/document.ts";
export { type WorkspaceSbomOptions, workspaceSbom } from "./sbom/workspace.ts";
export { type CatalogChange, catalogChanges } from "./scan/catalog-changes.ts";
export {
  DRIVER_PROBE_SCORE,
  type DriverProbeOptions,
  type DriverProbeResult,
  MAX_PROBED_SYMBOLS,
  probeDrivers,
} from "./scan/driver-probe.ts";
export { type ScanReportJson, scanReportJson } from "./scan/report-json.ts";
export {
  type ScanOptions,
  type ScanProgress,
  type ScanReport,
  scanWorkspace,
} from "./scan/scanner.ts";
export { WalkMemo } from "./scan/walk-memo.ts";
export { ScanWatcher } from "./scan/watch.ts";
export { AUTHORIZATION_KEY } from "./trust/authorization-key.ts";
export { type Authorized, bearerToken, TokenGate } from "./trust/authorize.ts";
export {
  cliTokenSource,
  OWNER_TOKEN_TTL_MS,
  TOKEN_ENV,
  type TokenSource,
} from "./trust/client-tokens.ts";
export {
  checkKeyName,
  generateSigningKey,
  KEYS_DIR,
  keyIdOf,
  loadSigningKey,
  loadTrustedKeys,
  PANEL_KEY_NAME,
  panelKey,
  type SigningKey,
  signBytes,
  TRUST_DIR,
  type TrustedKey,
  verifyBytes,
} from "./trust/keys.ts";
export {
  type FileVerdict,
  type ManifestFile,
  manifestFile,
  signManifestFiles,
  verifyManifestFile,
  workspaceManifests,
} from "./trust/manifest-files.ts";
export {
  checkManifestSignature,
  SIGNATURE_MEMBER,
  type SignatureCheck,
  signedBytes,
  signManifest,
} from "./trust/manifest-signature.ts";
export { type RouteEnds, type RouteTokenSource, RouteTokens } from "./trust/route-tokens.ts";
export { MAX_TTL_MS, mintToken, parseTtl } from "./trust/tokens.ts";
export { acquireDirLock, type DirLock, type LockHolder } from "./wal/lock.ts";
export type {
  Lease,
  ResourceIntent,
  ResourceKind,
  WalAction,
  WalRecord,
} from "./wal/record.ts";
export { decodeRecord } from "./wal/record.ts";
export {
  type CommitPoint,
  type LedgerEntry,
  type ReplayState,
  replayRecords,
  stateChanges,
  type TxStatus,
} from "./wal/replay.ts";
export { salvageWal, type WalSalvage } from "./wal/salvage.ts";
export {
  type ReadOptions,
  readWal,
  segmentName,
  type TailCut,
  type WalRead,
} from "./wal/segments.ts";
export { DEFAULT_SEGMENT_BYTES, type OpenReport, Wal, type WalOptions } from "./wal/wal.ts";
export {
  type Adoption,
  type AdoptOptions,
  adoptedFileName,
  adoptedManifest,
  adoptSymbols,
  DISCOVERED_FROM_KEY,
  type DiscoveredFrom,
  discoveredFrom,
  symbolToAdopt,
} from "./workspace/adopt.ts";
export { writeFileAtomic } from "./workspace/atomic-write.ts";
export { type InitReport, initWorkspace } from "./workspace/init.ts";
export { checkPanelSocketFolder } from "./workspace/panel-socket.ts";
export {
  findWorkspace,
  loadPanelConfig,
  notRuntimeState,
  type ResolvedConfig,
  relativeToRoot,
  type WorkspacePaths,
  workspacePaths,
} from "./workspace/workspace.ts";
