/**
 * The identity of each call to the panel (docs/adr/0019-audit-identity.md). The panel accepts
 * connections on its Unix socket itself (panel-server.ts) and reads the peer's credentials
 * (SO_PEERCRED) as each one is accepted, before gRPC sees a byte of it. gRPC's only view of the
 * connection a call came on is `call.getPeer()`, which reports the socket's `remoteAddress`
 * (empty for a Unix socket), so the accepted socket's remoteAddress is set to a tag this
 * registry maps to the identity. A client cannot choose the tag: it is set on the server's side.
 */
import type { Socket } from "node:net";
import { peerCredentials } from "@rtt/fabric";
import { type CallerIdentity, callerIdentity, whoOf } from "../audit/identity.ts";
import type { Actor } from "../reconcile/actor.ts";

const TAG_PREFIX = "rtt-caller-";

export class Callers {
  readonly #byTag = new Map<string, CallerIdentity>();
  #serial = 0;

  /** Records who connected `socket` and tags it so its calls can be traced back to them. */
  admit(socket: Socket): void {
    const identity = callerIdentity(peerCredentials(socket));
    const tag = `${TAG_PREFIX}${++this.#serial}`;
    Object.defineProperty(socket, "remoteAddress", { value: tag, configurable: true });
    this.#byTag.set(tag, identity);
    socket.once("close", () => this.#byTag.delete(tag));
  }

  /** Who made `call` (any gRPC server call: they all have getPeer). */
  of(call: { getPeer(): string }): CallerIdentity {
    return (
      this.#byTag.get(call.getPeer()) ?? {
        kind: "unknown",
        note: "the call came on a connection the panel did not accept itself",
      }
    );
  }

  /** The Actor of a request: the caller's real identity, the client's own `who` as a claim. */
  actor(call: { getPeer(): string }, claimed: string, why: string, token?: string): Actor {
    return {
      who: whoOf(this.of(call)),
      why,
      ...(claimed === "" ? {} : { claimedBy: claimed }),
      ...(token === undefined ? {} : { token }),
    };
  }
}
