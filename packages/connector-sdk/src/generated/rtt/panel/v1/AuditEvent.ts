// Original file: proto/rtt/v1/panel.proto

import type { Long } from '@grpc/proto-loader';

export interface AuditEvent {
  /**
   * The record's position in the ledger, from 1.
   */
  'seq'?: (number | string | Long);
  /**
   * When it happened, ISO 8601 UTC.
   */
  'at'?: (string);
  /**
   * Who did it: user@host, or "panel" for what the panel did on its own.
   */
  'who'?: (string);
  /**
   * "bind", "unbind", "swap", "trip", "heal", "rollback", "degrade", "restore", "retire",
   * "reroute" (a watching panel applied a plan by itself: routing.reroute auto), "adopt" (a
   * restarted panel took the drivers' word for a route's target, over a WAL tail a crash lost),
   * or "aborted" (the change recorded just before did not commit: the WAL refused it).
   */
  'action'?: (string);
  /**
   * The route it concerns.
   */
  'route'?: (string);
  /**
   * Why (e.g. "rtt apply").
   */
  'why'?: (string);
  /**
   * The route's edge before, as JSON ("null" when there was none).
   */
  'before_json'?: (string);
  /**
   * The route's edge after, as JSON ("null" when there is none).
   */
  'after_json'?: (string);
  /**
   * The previous record's hash (hex).
   */
  'prev'?: (string);
  /**
   * This record's SHA-256 (hex), chaining the ledger.
   */
  'hash'?: (string);
  /**
   * What the client said it was (its request's `who`), when it sent one (ADR 0019).
   */
  'claimed_by'?: (string);
  /**
   * The id of the capability token the call carried, if any.
   */
  'token'?: (string);
}

export interface AuditEvent__Output {
  /**
   * The record's position in the ledger, from 1.
   */
  'seq': (number);
  /**
   * When it happened, ISO 8601 UTC.
   */
  'at': (string);
  /**
   * Who did it: user@host, or "panel" for what the panel did on its own.
   */
  'who': (string);
  /**
   * "bind", "unbind", "swap", "trip", "heal", "rollback", "degrade", "restore", "retire",
   * "reroute" (a watching panel applied a plan by itself: routing.reroute auto), "adopt" (a
   * restarted panel took the drivers' word for a route's target, over a WAL tail a crash lost),
   * or "aborted" (the change recorded just before did not commit: the WAL refused it).
   */
  'action': (string);
  /**
   * The route it concerns.
   */
  'route': (string);
  /**
   * Why (e.g. "rtt apply").
   */
  'why': (string);
  /**
   * The route's edge before, as JSON ("null" when there was none).
   */
  'before_json': (string);
  /**
   * The route's edge after, as JSON ("null" when there is none).
   */
  'after_json': (string);
  /**
   * The previous record's hash (hex).
   */
  'prev': (string);
  /**
   * This record's SHA-256 (hex), chaining the ledger.
   */
  'hash': (string);
  /**
   * What the client said it was (its request's `who`), when it sent one (ADR 0019).
   */
  'claimed_by': (string);
  /**
   * The id of the capability token the call carried, if any.
   */
  'token': (string);
}
