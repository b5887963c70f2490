// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A retired program's end (ADR 0024): its input closed, it had drain_ms to exit by itself,
 * then SIGTERM, then SIGKILL.
 */
export interface ProgramDrain {
  /**
   * "exited" (by itself after EOF), "terminated" (after SIGTERM) or "killed" (SIGKILL).
   */
  'ended'?: (string);
  /**
   * Its exit code; -1 when it has none (a signal ended it, or it was not our child).
   */
  'code'?: (number);
  /**
   * The signal that ended it, or "".
   */
  'signal'?: (string);
  /**
   * Messages its input took (the pipe accepted them).
   */
  'frames'?: (number | string | Long);
  /**
   * How long it had to exit by itself after EOF (the symbol's x-drain-ms).
   */
  'drain_ms'?: (number);
  /**
   * Of the frames, those no program acknowledged (it did not exit 0 after EOF; ADR 0024).
   */
  'unaccounted'?: (number | string | Long);
}

/**
 * A retired program's end (ADR 0024): its input closed, it had drain_ms to exit by itself,
 * then SIGTERM, then SIGKILL.
 */
export interface ProgramDrain__Output {
  /**
   * "exited" (by itself after EOF), "terminated" (after SIGTERM) or "killed" (SIGKILL).
   */
  'ended': (string);
  /**
   * Its exit code; -1 when it has none (a signal ended it, or it was not our child).
   */
  'code': (number);
  /**
   * The signal that ended it, or "".
   */
  'signal': (string);
  /**
   * Messages its input took (the pipe accepted them).
   */
  'frames': (number);
  /**
   * How long it had to exit by itself after EOF (the symbol's x-drain-ms).
   */
  'drain_ms': (number);
  /**
   * Of the frames, those no program acknowledged (it did not exit 0 after EOF; ADR 0024).
   */
  'unaccounted': (number);
}
