/** Where the panel's socket is, apart from the server so a client loads no server code. */
import { RttError } from "@rtt/core/errors.ts";

/**
 * The Unix socket path of an `api.listen` value (only `unix://` is served:
 * docs/design.md §Processes and sockets: the panel daemon).
 */
export function socketPathOf(listen: string): string {
  if (!listen.startsWith("unix://") || listen.length <= "unix://".length)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `api.listen ${JSON.stringify(listen)} is not unix://PATH`,
      {
        hint: "the panel listens on a Unix socket in .rtt/sockets/ only (docs/adr/0020-local-sockets.md)",
      },
    );
  return listen.slice("unix://".length);
}

/**
 * The framed control channel's socket beside the gRPC one (docs/adr/0029): `panel.sock` →
 * `panel.framed.sock`, any other name gets `.framed` appended.
 */
export function framedSocketPathOf(listen: string): string {
  const path = socketPathOf(listen);
  return path.endsWith(".sock")
    ? `${path.slice(0, -".sock".length)}.framed.sock`
    : `${path}.framed`;
}
