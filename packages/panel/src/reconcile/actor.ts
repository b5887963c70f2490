/** Who asked for a change and why: what the audit ledger records with it. */
export interface Actor {
  /** The caller's real identity (audit/identity.ts), or "panel". */
  readonly who: string;
  readonly why: string;
  /** The `who` the client sent, when it sent one: recorded as `claimed_by`, never as `who`. */
  readonly claimedBy?: string;
  /** The id of the capability token the call carried. */
  readonly token?: string;
}

/** The audit entry fields that say who acted: `who`, and `claimed_by` / `token` when known. */
export function actorFields(actor: Actor): { who: string; claimed_by?: string; token?: string } {
  return {
    who: actor.who,
    ...(actor.claimedBy === undefined ? {} : { claimed_by: actor.claimedBy }),
    ...(actor.token === undefined ? {} : { token: actor.token }),
  };
}
