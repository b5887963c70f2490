/**
 * The Connector service's Health call: samples of one link, or of every link and the driver
 * itself, every interval until the caller goes. An attached host holds one open as its
 * liveness watch, so the stream's opening and closing are reported (`onWatch`).
 */
import type * as grpc from "@grpc/grpc-js";
import { RttError } from "@rtt/core";
import type { HealthRequest__Output } from "../generated/rtt/connector/v1/HealthRequest.ts";
import type { HealthSample } from "../generated/rtt/connector/v1/HealthSample.ts";
import { toServiceError } from "../wire.ts";
import type { DriverRuntime } from "./runtime.ts";

type HealthCall = grpc.ServerWritableStream<HealthRequest__Output, HealthSample>;

/** Streams the requested samples ("" = every link); a link that is not open fails the call. */
export function serveHealth<L>(
  runtime: DriverRuntime<L>,
  call: HealthCall,
  onWatch: (delta: 1 | -1) => void,
): void {
  const { link_id: linkId, interval_ms } = call.request;
  if (linkId !== "" && !runtime.hasLink(linkId)) {
    call.emit(
      "error",
      toServiceError(new RttError("RTT_ERR_DRIVER_LINK", `no open link ${JSON.stringify(linkId)}`)),
    );
    return;
  }
  streamSamples(
    runtime,
    call,
    linkId,
    interval_ms > 0 ? interval_ms : runtime.heartbeatMs,
    onWatch,
  );
}

/**
 * Writes the samples now and every `intervalMs`, one round at a time (a round still being
 * gathered skips the tick), until the call is cancelled or closed, or the one link watched
 * closes, which ends the call.
 */
function streamSamples<L>(
  runtime: DriverRuntime<L>,
  call: HealthCall,
  linkId: string,
  intervalMs: number,
  onWatch: (delta: 1 | -1) => void,
): void {
  onWatch(1);
  let stopped = false;
  let busy = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    onWatch(-1);
  };
  const send = () => {
    if (stopped || busy) return;
    busy = true;
    runtime.samples(linkId, linkId === "").then(
      (samples) => {
        busy = false;
        if (stopped) return;
        for (const s of samples) call.write(s);
      },
      () => {
        // The one link watched was closed: the stream is over.
        busy = false;
        stop();
        call.end();
      },
    );
  };
  const timer = setInterval(send, intervalMs);
  call.on("cancelled", stop);
  call.on("close", stop);
  send();
}
