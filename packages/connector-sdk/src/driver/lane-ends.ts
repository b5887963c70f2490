/**
 * Letting go of lane ends and listeners that may or may not have been made yet: a handshake's
 * control lanes, an Offer's listener that lost its race.
 */
import type { LaneListener, LaneReader, LaneWriter } from "@rtt/fabric";

/** Releases a lane end that may or may not have been made. */
export function dropEnd(end: LaneReader | LaneWriter | undefined): void {
  if (end === undefined) return;
  if (end.role === "reader") end.close();
  else end.destroy();
}

/**
 * Ends made before the session listens to them must not crash the process with an unheard
 * 'error' (the peer killed in between); the session hears every error itself.
 */
export function quiet<E extends LaneReader | LaneWriter>(end: E): E {
  end.on("error", () => {});
  return end;
}

/** Closes a listener and, should its peer connect after all, the end it would make. */
export function dropListener(listener: LaneListener<LaneReader> | LaneListener<LaneWriter>): void {
  listener.close();
  (listener.accepted as Promise<LaneReader | LaneWriter>).then(dropEnd, () => {});
}
