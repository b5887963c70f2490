/**
 * The metadata key a call's capability token travels in (ADR 0018): `authorization: Bearer
 * <token>`, gRPC's header, and the framed channel's metadata alike. Apart from the token gate
 * (authorize.ts), so that a client loads none of the token checks.
 */
export const AUTHORIZATION_KEY = "authorization";
