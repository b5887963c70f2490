/**
 * `@rtt/core/testing`: what the tests of every package, test/ and bench/ share. Test-only — no
 * package's runtime code imports it, and it is not part of `@rtt/core`'s surface. (The SADDR
 * and document arbitraries, document printers and mutations, and RttError assertions next to it
 * serve core's own tests and are not exported.)
 */

export { connectAsOtherUser, OTHER_UID, otherUserSkip } from "./as-other-user.ts";
export { type EventuallyOptions, eventually, settled } from "./eventually.ts";
