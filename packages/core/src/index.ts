/**
 * @rtt/core — RTT's pure model: symbol addresses (SADDR), contracts and symbols, the JSON
 * Schemas of every document with position-exact validation, RFC 8785 canonical JSON and the
 * hashes built on it, retry backoff. No I/O: it takes text and data and returns data.
 */
export { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
export {
  type CanonicalText,
  canonicalHash,
  canonicalJson,
  canonicalOnce,
  sameCanonicalMembers,
} from "./canonical-json.ts";
export { DOCUMENT_SCHEMAS } from "./document-schemas.ts";
export { asError, errorMessage } from "./error-message.ts";
export {
  compareDiagnostics,
  type Diagnostic,
  ERROR_CATALOG,
  type ErrorCode,
  type ErrorSpec,
  formatDiagnostic,
  fromSystemError,
  RttError,
  type Severity,
  type SourcePosition,
} from "./errors.ts";
export {
  EXAMPLES_KEY,
  type Example,
  type ExamplesProblem,
  type ExamplesResult,
  readExamples,
} from "./examples.ts";
export {
  extensionKeyWarnings,
  type UnknownExtensionKey,
  unknownExtensionKeys,
} from "./extension-key-check.ts";
export {
  EXTENSION_KEYS,
  type ExtensionKey,
  type KeyReader,
  KNOWN_EXTENSION_KEYS,
  type KnownExtensionKey,
} from "./extension-keys.ts";
export type { JsonValue } from "./json-value.ts";
export {
  driverFor,
  LAUNCH_LABEL_KEYS,
  LAUNCH_ROUTE_PARAMS,
  type Launch,
  type LaunchSource,
  launchChanges,
  launchExtensions,
  launchHash,
  launchOf,
  launchRouteParams,
  resolveLaunchPath,
} from "./launch.ts";
export { memoByObject, memoByString } from "./memo.ts";
export {
  ALLOW_PATHS_KEY,
  allowingPrefix,
  allowPathsOf,
  isNormalizedAbsolute,
  PATH_OUTSIDE_HINT,
  pathOutsideMessage,
  pathWithin,
} from "./path-confinement.ts";
export { DROP_POLICIES, type DropPolicy, isLaneKind, LANE_KINDS, type LaneKind } from "./qos.ts";
export {
  HEALTH_METRICS,
  type HealthBound,
  type HealthMetric,
  nearArrow,
  parseHealthExpr,
  parseRouteExpr,
  type RouteExpr,
} from "./route-expr.ts";
export {
  DEFAULT_ROUTE_BUFFER,
  defaultBurst,
  type ReadRouteQos,
  ROUTE_FANOUT_PARAM,
  ROUTE_JOURNAL_PARAM,
  ROUTE_QOS_PREFIX,
  type RouteAdmissionQos,
  type RouteQosFields,
  readRouteQos,
  reservedRouteParams,
  routeQosParams,
} from "./route-qos.ts";
export { parseRttTags, type TagRule, tagsFor } from "./rtttags.ts";
export {
  type ConcreteAddress,
  formatSaddr,
  IO_MODES,
  type IoMode,
  normalizeSaddr,
  type Pattern,
  parseConcrete,
  parseReference,
  parseSaddr,
  type Reference,
  type Saddr,
  type SaddrForm,
  type Selector,
  SYMBOL_TYPES,
  type SymbolType,
} from "./saddr.ts";
export {
  escapeRegExp,
  type Mismatch,
  matches,
  mismatch,
  selectorTest,
  versionSatisfies,
} from "./saddr-match.ts";
export { SAMPLE_CONTRACT } from "./sample-contract.ts";
export { IDENT_PATTERN, ROUTE_ID_MAX_LENGTH } from "./schemas/common.ts";
export type {
  Auth,
  AuthMode,
  Contract,
  Direction,
  IoSlot,
  Manifest,
  ManifestSignature,
  Qos,
} from "./schemas/manifest.ts";
export { AUTH_MODES, DIRECTIONS, MANIFEST_SCHEMA_ID } from "./schemas/manifest.ts";
export {
  FOLLOW_SYMLINKS,
  type FollowSymlinks,
  type PanelConfig,
  REROUTE_SETTINGS,
  type RerouteSetting,
  SANDBOX_SETTINGS,
  type SandboxSetting,
} from "./schemas/panel-config.ts";
export type { AclRule, FailoverRule, PinRule, Policy, QosRule } from "./schemas/policy.ts";
export type { RouteSpec, RoutesFile } from "./schemas/routes.ts";
export {
  LineIndex,
  type Location,
  parseJsonDocument,
  type SourceDocument,
} from "./source-document.ts";
export { closest } from "./suggest.ts";
export {
  addressOf,
  type CatalogSymbol,
  contractHash,
  contractOf,
  type ManifestSigner,
  type SourceProvenance,
  type SymbolSource,
  symbolFromContract,
  withLaunchHash,
  withTags,
} from "./symbol.ts";
export {
  CLOCK_SKEW_MS,
  MAX_TOKEN_CHARS,
  pae,
  signV4Public,
  type TokenClaims,
  verifyToken,
  verifyV4Public,
} from "./tokens/capability-token.ts";
export {
  keyIdOf,
  publicKeyFromRaw,
  rawPublicKey,
  signBytes,
  verifyBytes,
} from "./tokens/ed25519.ts";
export {
  checkScope,
  EVERY_ROUTE,
  isTokenAction,
  type ScopeDenial,
  type ScopeRequest,
  scopeCovers,
  scopeDenial,
  TOKEN_ACTIONS,
  type TokenAction,
  type TokenScope,
} from "./tokens/token-scope.ts";
export { escapeControl, QUOTE_MAX_CHARS, quoteInput } from "./untrusted-text.ts";
export {
  type DocumentKind,
  type DocumentTypes,
  type Validated,
  validateDocument,
} from "./validate.ts";
