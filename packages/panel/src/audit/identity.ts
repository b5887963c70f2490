/**
 * Who called the panel, as the audit records it (docs/adr/0019-audit-identity.md): the
 * credentials the kernel reports for the connecting process on the panel's Unix socket
 * (SO_PEERCRED through @rtt/fabric's peerCredentials), never what the client says about itself.
 * When they cannot be had, the caller is "unknown" with the reason.
 */
import { readFileSync } from "node:fs";
import type { PeerLookup } from "@rtt/fabric";

/** A caller's identity: as the kernel reported it, or unknown and why. */
export type CallerIdentity =
  | {
      readonly kind: "peer";
      readonly uid: number;
      readonly gid: number;
      readonly pid: number | undefined;
      /** The uid's login name from /etc/passwd, when it has one. */
      readonly user: string | undefined;
    }
  | { readonly kind: "unknown"; readonly note: string };

/** Login names by uid from /etc/passwd, read once per process (undefined where there is none). */
let passwd: ReadonlyMap<number, string> | undefined;

function userNameOf(uid: number): string | undefined {
  if (passwd === undefined) {
    const names = new Map<number, string>();
    try {
      for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
        const [name, , id] = line.split(":");
        const n = Number(id);
        if (name !== undefined && name !== "" && Number.isSafeInteger(n) && !names.has(n))
          names.set(n, name);
      }
    } catch {
      // No /etc/passwd (macOS keeps users in Directory Services): the uid alone is recorded.
    }
    passwd = names;
  }
  return passwd.get(uid);
}

/** The identity a peer lookup gives. */
export function callerIdentity(lookup: PeerLookup): CallerIdentity {
  if (!lookup.ok) return { kind: "unknown", note: lookup.reason };
  const { uid, gid, pid } = lookup.peer;
  return { kind: "peer", uid, gid, pid, user: userNameOf(uid) };
}

/**
 * The audit's `who` for `identity`: `uid=1000(alice) pid=4242` (the name and pid when known), or
 * `unknown (<why>)`.
 */
export function whoOf(identity: CallerIdentity): string {
  if (identity.kind === "unknown") return `unknown (${identity.note})`;
  const user = identity.user === undefined ? "" : `(${identity.user})`;
  const pid = identity.pid === undefined ? "" : ` pid=${identity.pid}`;
  return `uid=${identity.uid}${user}${pid}`;
}
