/**
 * @rtt/fabric — RTT's data plane: lanes that carry frames between two processes (or within
 * one) over shared memory, Unix sockets, loopback TCP or an in-process queue, with one frame
 * codec for all and per-route backpressure. The panel creates lanes; it never carries bytes.
 */

export {
  type AdmissionCounters,
  type AdmissionVerdict,
  RouteAdmission,
  type RouteAdmissionOptions,
} from "./backpressure/admission.ts";
export {
  BoundedQueue,
  type BoundedQueueOptions,
  type QueueMark,
  type WaterMarks,
} from "./backpressure/bounded-queue.ts";
export { TokenBucket, type TokenBucketOptions } from "./backpressure/token-bucket.ts";
export {
  BATCH_ENTRY_HEADER,
  BATCH_MAX_MESSAGES,
  batchEntrySize,
  checkBatch,
  decodeBatch,
  encodeBatchEntry,
} from "./frame/batch.ts";
export { decodeFrame } from "./frame/decode.ts";
export { encodeFrame, encodeFrameInto } from "./frame/encode.ts";
export {
  DEFAULT_MAX_PAYLOAD,
  type Frame,
  FrameFlag,
  FrameType,
  frameSize,
  MAX_PAYLOAD_LIMIT,
} from "./frame/format.ts";
export { headerCrc } from "./frame/header-crc.ts";
export type {
  LaneAddress,
  LaneEnd,
  LaneKind,
  LaneListener,
  LaneReader,
  LaneRole,
  LaneWriter,
  WriteOptions,
} from "./lane.ts";
export {
  connectReader,
  connectWriter,
  type FallbackLog,
  type LaneOptions,
  listenPreferredReader,
  listenPreferredWriter,
  listenReader,
  listenWriter,
} from "./lanes/factory.ts";
export { isLoopback } from "./lanes/tcp/tcp-lane.ts";
export { laneSocketDir, MAX_SOCKET_PATH, newSocketPath } from "./lanes/uds/socket-path.ts";
export {
  ALLOW_UIDS_ENV,
  admitPeer,
  formatAllowUids,
  type PeerGateOptions,
  parseAllowUids,
} from "./local-socket/peer-gate.ts";
export {
  ensurePrivateDir,
  ownUid,
  privateDirProblem,
  shortSocketDir,
} from "./local-socket/private-dir.ts";
export {
  fitsSunPath,
  listenPrivate,
  privateSocketPath,
  removeOwnSocket,
  removeStaleSocket,
} from "./local-socket/socket-file.ts";
export { tcpListeners, tcpPeerUid } from "./local-socket/tcp-peer.ts";
export { type MappedFile, mapFile } from "./mapped-file.ts";
export { loadShm, shmUnavailableReason } from "./native.ts";
export {
  type BeneathHow,
  nativeOPath,
  nativeOpenBeneath,
  type OpenBeneath,
} from "./open-beneath.ts";
export { type PeerCredentials, type PeerLookup, peerCredentials } from "./peer-cred.ts";
export { isAlive, type ProcStat, parseProcStat, readProcStat } from "./process-stat.ts";
