export interface Actor {
  readonly who: string;
  readonly why: string;
}
