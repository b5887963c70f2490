/**
 * @rtt/panel — RTT's control plane. Now: the workspace (`.rtt/` layout, panel.yaml, `rtt init`),
 * the scanner and its catalog, and route resolution. Later: compat, policy, reconciler, WAL,
 * health and the daemon.
 */

export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditHead,
  AuditLedger,
  type AuditLedgerOptions,
  type AuditRecord,
  appendAudit,
  checkLedgerFile,
  currentWho,
  GENESIS_HASH,
  headPath,
  type LedgerProblem,
  type LedgerVerdict,
  readHead,
  recordHash,
  recordLine,
  verifyLedger,
} from "./audit/ledger.ts";
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
export {
  type CandidateDecision,
  type CandidateVerdict,
  HARD_STEPS,
  HEALTH_ERR_SLACK,
  HEALTH_P95_FACTOR,
  HEALTH_P95_SLACK_MS,
  type HealthSample,
  INPROC_CAP,
  ROUTER_STEPS,
  type RouteContext,
  type RouteDecision,
  type RouterStep,
  routeDecision,
  tieBreakHash,
} from "./router/router.ts";
export {
  type EndResolution,
  loadRoutes,
  type RouteResolution,
  resolveRoutes,
  routeId,
} from "./routes.ts";
export {
  type ScanOptions,
  type ScanProgress,
  type ScanReport,
  scanWorkspace,
} from "./scan/scanner.ts";
export { acquireDirLock, type DirLock, holderAlive, type LockHolder } from "./wal/lock.ts";
export type {
  Lease,
  ResourceIntent,
  ResourceKind,
  WalAction,
  WalRecord,
} from "./wal/record.ts";
export {
  type CommitPoint,
  type LedgerEntry,
  type ReplayState,
  replayRecords,
  type TxStatus,
} from "./wal/replay.ts";
export {
  DEFAULT_SEGMENT_BYTES,
  type OpenReport,
  type ReadOptions,
  readWal,
  segmentName,
  type TailCut,
  Wal,
  type WalOptions,
  type WalRead,
} from "./wal/wal.ts";
export { type InitReport, initWorkspace } from "./workspace/init.ts";
export {
  findWorkspace,
  loadPanelConfig,
  type ResolvedConfig,
  type WorkspacePaths,
  workspacePaths,
} from "./workspace/workspace.ts";
