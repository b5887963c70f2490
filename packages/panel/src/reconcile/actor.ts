import { errorMessage } from "@rtt/core";
import type { AuditAction, AuditLedger } from "../audit/ledger.ts";

/** Who asked for a change and why: what the audit ledger records with it. */
export interface Actor {
  /** The caller's real identity (audit/identity.ts), or "panel". */
  readonly who: string;
  readonly why: string;
  /** The `who` the client sent, when it sent one: recorded as `claimed_by`, never as `who`. */
  readonly claimedBy?: string;
  /** The id of the capability token the call carried. */
  readonly token?: string;
  /**
   * The ledger's action for every change made for this actor, instead of each change's own
   * (bind, unbind, swap): a watching panel's own apply is a `reroute`.
   */
  readonly auditAs?: Extract<AuditAction, "reroute">;
}

/** The audit entry fields that say who acted: `who`, and `claimed_by` / `token` when known. */
export function actorFields(actor: Actor): { who: string; claimed_by?: string; token?: string } {
  return {
    who: actor.who,
    ...(actor.claimedBy === undefined ? {} : { claimed_by: actor.claimedBy }),
    ...(actor.token === undefined ? {} : { token: actor.token }),
  };
}

/**
 * Records that the changes to `routes`, audited just before, did not commit (`error`, the WAL's
 * refusal). Best effort: a ledger on the same failing disk may refuse this too, and the commit's
 * own failure is what the caller reports.
 */
export function auditNotCommitted(
  audit: AuditLedger,
  routes: readonly string[],
  actor: Actor,
  error: unknown,
): void {
  try {
    audit.appendAll(
      routes.map((route) => ({
        action: "aborted" as const,
        route,
        ...actorFields(actor),
        why: `not committed: ${errorMessage(error)}`,
        before: null,
        after: null,
      })),
    );
  } catch {
    // The ledger's own failure stops it; `rtt audit --verify` and status say so.
  }
}
