/**
 * The CLI's end of the panel's framed control channel (docs/adr/0029-framed-control-channel.md):
 * the SDK's FramedChannel over the Panel service. A call that fails is the RttError the panel
 * sent; a panel nobody answers for, or a connection lost under a call, is
 * RTT_ERR_PANEL_UNREACHABLE, as on the gRPC side.
 */
import { FramedChannel as Channel } from "@rtt/connector-sdk/framed/channel.ts";
import { clientMethodTable } from "@rtt/connector-sdk/framed/wire-methods.ts";
import { RttError } from "@rtt/core/errors.ts";

/** What a call the panel did not answer fails with (as the gRPC client's does). */
export function unreachable(method: string, why: string, cause?: unknown): RttError {
  return new RttError("RTT_ERR_PANEL_UNREACHABLE", `the panel did not answer ${method}: ${why}`, {
    cause,
    hint: "`rtt panel status` says whether one runs; its log is .rtt/panel.log",
  });
}

export class FramedChannel extends Channel {
  constructor(path: string) {
    super(path, clientMethodTable, {
      lost: unreachable,
      deadline: (method) => unreachable(method, "deadline exceeded"),
      sent: (_, error) => error,
    });
  }
}
