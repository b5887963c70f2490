/**
 * Runs a connector inside the calling process, for unit tests (go-plugin's testing.go): the
 * same runtime and the same gRPC service as a driver process, on a private Unix socket, with
 * the same DriverClient the host uses (gRPC, and the framed control channel for the calls a
 * flip makes) — only without spawning, handshake and grace period.
 * In-process lanes work here (both ends live in this process), so a test needs no sockets of
 * its own to move bytes through a link.
 */
import { newSocketPath } from "@rtt/fabric";
import { SDK_PROTOCOL_VERSIONS } from "../handshake/protocol.ts";
import { DriverClient } from "../host/driver-client.ts";
import type { Connector } from "./define-connector.ts";
import { driverIdentity } from "./identity.ts";
import { DriverRuntime, type RuntimeOptions } from "./runtime.ts";
import { startConnectorServer } from "./service.ts";

export interface InProcessDriver<L> {
  /** A client of the connector's service, as DriverHost would give one. */
  readonly client: DriverClient;
  /** The runtime itself, for assertions on its state. */
  readonly runtime: DriverRuntime<L>;
  /** Closes every link, stops serving, removes the socket. */
  close(): Promise<void>;
}

export async function startConnectorInProcess<L>(
  connector: Connector<L>,
  options: RuntimeOptions & { readonly socketDir?: string } = {},
): Promise<InProcessDriver<L>> {
  const runtime = new DriverRuntime(connector, options);
  const address = newSocketPath(options.socketDir, `harness-${connector.name}`);
  const framed = newSocketPath(options.socketDir, `harness-${connector.name}-framed`);
  const version = SDK_PROTOCOL_VERSIONS[SDK_PROTOCOL_VERSIONS.length - 1] ?? 1;
  const identity = driverIdentity(
    connector as Connector<unknown>,
    () => runtime.linkCount,
    { version, versions: SDK_PROTOCOL_VERSIONS },
    address,
  );
  const server = await startConnectorServer(
    runtime,
    { info: identity.info },
    address,
    `harness ${connector.name}`,
    { path: framed, log: () => {} },
  );
  const client = new DriverClient(
    connector.name,
    address,
    server.framedPath === undefined ? {} : { framed: server.framedPath },
  );
  await client.ready(5000);
  return {
    client,
    runtime,
    async close() {
      client.disconnect();
      await runtime.dispose();
      server.close();
    },
  };
}
