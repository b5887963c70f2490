// Original file: proto/rtt/v1/connector.proto

import type { Long } from '@grpc/proto-loader';

export interface DriverInfo {
  /**
   * The connector's name, e.g. "file" (what the host prefixes its log lines with).
   */
  'name'?: (string);
  /**
   * The connector's own version (semver).
   */
  'version'?: (string);
  /**
   * The application protocol version in use, chosen at the handshake.
   */
  'protocol_version'?: (number);
  /**
   * Every application protocol version this driver can speak.
   */
  'protocol_versions'?: (number)[];
  /**
   * The driver's process id.
   */
  'pid'?: (number);
  /**
   * The process start time as the host can read it independently: on Linux field 22 of
   * /proc/<pid>/stat (clock ticks since boot), as decimal text; "0" where unknown.
   */
  'start_time'?: (string);
  /**
   * Random hex chosen at start, also in the handshake line: a pid and start time can be
   * reused, this cannot (re-attach checks all three).
   */
  'nonce'?: (string);
  /**
   * Where the driver serves: an absolute socket path (never a Linux abstract name).
   */
  'socket'?: (string);
  /**
   * When the driver started, milliseconds since the Unix epoch (display only).
   */
  'started_at_unix_ms'?: (number | string | Long);
  /**
   * How many links are open now.
   */
  'links'?: (number);
  /**
   * Version of the SDK runtime serving this (display only).
   */
  'sdk_version'?: (string);
  /**
   * The lane kinds this driver can listen on and connect to ("shm", "uds", "tcp"; ADR 0031).
   * The panel wires a route over the first kind of `routing.prefer` both ends list. Empty (a
   * driver older than the field): "uds" and "tcp".
   */
  'lanes'?: (string)[];
}

export interface DriverInfo__Output {
  /**
   * The connector's name, e.g. "file" (what the host prefixes its log lines with).
   */
  'name': (string);
  /**
   * The connector's own version (semver).
   */
  'version': (string);
  /**
   * The application protocol version in use, chosen at the handshake.
   */
  'protocol_version': (number);
  /**
   * Every application protocol version this driver can speak.
   */
  'protocol_versions': (number)[];
  /**
   * The driver's process id.
   */
  'pid': (number);
  /**
   * The process start time as the host can read it independently: on Linux field 22 of
   * /proc/<pid>/stat (clock ticks since boot), as decimal text; "0" where unknown.
   */
  'start_time': (string);
  /**
   * Random hex chosen at start, also in the handshake line: a pid and start time can be
   * reused, this cannot (re-attach checks all three).
   */
  'nonce': (string);
  /**
   * Where the driver serves: an absolute socket path (never a Linux abstract name).
   */
  'socket': (string);
  /**
   * When the driver started, milliseconds since the Unix epoch (display only).
   */
  'started_at_unix_ms': (number);
  /**
   * How many links are open now.
   */
  'links': (number);
  /**
   * Version of the SDK runtime serving this (display only).
   */
  'sdk_version': (string);
  /**
   * The lane kinds this driver can listen on and connect to ("shm", "uds", "tcp"; ADR 0031).
   * The panel wires a route over the first kind of `routing.prefer` both ends list. Empty (a
   * driver older than the field): "uds" and "tcp".
   */
  'lanes': (string)[];
}
