/** Who asked for a change and why: what the audit ledger records with it. */
export interface Actor {
  readonly who: string;
  readonly why: string;
}
