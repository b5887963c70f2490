/** Any JSON value, read-only: what journals and ledgers store without looking inside. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };
