/**
 * Where `rtt ui` may listen: a loopback TCP address or a Unix socket, nothing else. The page can
 * trip and heal routes, so it is never offered to the network; a name such as `localhost` is
 * refused too, since what it resolves to is up to the machine's resolver, not to us.
 */
import { isIPv4 } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { RttError } from "@rtt/core";

export type UiListen =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

export const DEFAULT_UI_LISTEN = "127.0.0.1:0";

const HINT =
  "rtt ui listens on loopback only: --listen 127.0.0.1:<port>, [::1]:<port> or unix:<path>";

function refuse(spec: string, why: string): never {
  throw new RttError("RTT_ERR_USAGE", `--listen ${JSON.stringify(spec)}: ${why}`, { hint: HINT });
}

/** A loopback address: 127.0.0.0/8 or ::1, written as an IP literal. */
export function isLoopbackHost(host: string): boolean {
  return (isIPv4(host) && host.startsWith("127.")) || host === "::1";
}

/** `--listen`'s value as an address; `cwd` anchors a relative socket path. */
export function parseUiListen(spec: string, cwd: string): UiListen {
  if (spec.startsWith("unix:")) {
    const path = spec.slice("unix:".length);
    if (path === "") refuse(spec, "no socket path after unix:");
    return { kind: "unix", path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(spec);
  if (m === null) refuse(spec, "expected HOST:PORT or unix:PATH");
  const host = m[1] ?? m[2] ?? "";
  const port = Number(m[3]);
  if (port > 65535) refuse(spec, `port ${port} is past 65535`);
  if (!isLoopbackHost(host))
    refuse(
      spec,
      host === "localhost"
        ? "name the loopback address itself (127.0.0.1 or [::1]), not a host name"
        : `${host === "" ? "no host" : host} is not a loopback address`,
    );
  return { kind: "tcp", host, port };
}
