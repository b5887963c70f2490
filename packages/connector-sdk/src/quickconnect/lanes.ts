/**
 * The data lanes of one link, made at BIND: the initiator (source end) listens, the responder
 * (target end) connects. Two lanes, in this order in BIND: `forward` carries frames from the
 * source to the target; `responses` carries the target's answers back, matched to requests by
 * correlation id. Both are of the kind the ACK agreed on, sized by its buffer parameters.
 */
import { RttError } from "@rtt/core";
import {
  connectReader,
  connectWriter,
  type LaneAddress,
  type LaneOptions,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
} from "@rtt/fabric";
import type { Ack, Bind } from "./messages.ts";

/** The source end of a link's data lanes. */
export interface SourceLanes {
  readonly forward: LaneWriter;
  readonly responses: LaneReader;
}

/** The target end of a link's data lanes. */
export interface TargetLanes {
  readonly forward: LaneReader;
  readonly responses: LaneWriter;
}

/** Lanes offered in BIND: the ends arrive once the target has connected. */
export interface OfferedLanes {
  readonly accepted: Promise<SourceLanes>;
  /** Stops listening; once accepted, tears both lanes down. */
  close(): void;
}

function laneOptions(ack: Ack, dir: string | undefined): LaneOptions {
  return {
    maxPayload: ack.buffer.max_frame,
    ...(ack.buffer.capacity > 0 ? { capacity: ack.buffer.capacity } : {}),
    ...(dir === undefined ? {} : { dir }),
  };
}

/**
 * The SDK makes these ends before their user holds them, so a lane failing in between (the
 * peer killed) must not crash the process as an unheard 'error' event. The user's own
 * listeners still get every error; the link itself notices through its control lanes.
 */
function quiet<E extends LaneReader | LaneWriter>(end: E): E {
  end.on("error", () => {});
  return end;
}

/** Initiator's `bind` hook: listens for both lanes of the agreed kind. */
export async function offerLanes(
  ack: Ack,
  options: { readonly dir?: string } = {},
): Promise<{ lanes: LaneAddress[]; value: OfferedLanes }> {
  const opts = laneOptions(ack, options.dir);
  const forward = await listenWriter(ack.lane, opts);
  let responses: Awaited<ReturnType<typeof listenReader>>;
  try {
    responses = await listenReader(ack.lane, opts);
  } catch (error) {
    forward.close();
    throw error;
  }
  const accepted = Promise.all([forward.accepted, responses.accepted]).then(([f, r]) => ({
    forward: quiet(f),
    responses: quiet(r),
  }));
  accepted.catch(() => {});
  let closed = false;
  return {
    lanes: [forward.address, responses.address],
    value: {
      accepted,
      close() {
        if (closed) return;
        closed = true;
        forward.close();
        responses.close();
        accepted.then(
          (ends) => {
            ends.forward.destroy();
            ends.responses.close();
          },
          () => {},
        );
      },
    },
  };
}

/** Responder's `attach` hook: connects to the forward and response lanes named in BIND. */
export async function attachLanes(bind: Bind, ack: Ack): Promise<TargetLanes> {
  const [forwardAddress, responsesAddress] = bind.lanes;
  if (forwardAddress === undefined || responsesAddress === undefined || bind.lanes.length !== 2) {
    throw new RttError(
      "RTT_ERR_LANE_ADDRESS",
      `BIND names ${bind.lanes.length} lanes; a link has 2 (forward, responses)`,
    );
  }
  const forward = quiet(await connectReader(forwardAddress, { maxPayload: ack.buffer.max_frame }));
  try {
    return { forward, responses: quiet(await connectWriter(responsesAddress)) };
  } catch (error) {
    forward.close();
    throw error;
  }
}
