/**
 * The second half of a request/response route's move (ADR 0013 §Request/response moves): the
 * Switch sent new requests to the new target; the requests the old target took are still being
 * answered, over the old reply lane into the source's inbound. A link holds one inbound lane at
 * a time, so the reply lane is handed over in order: the old target answers every request its
 * lane carried (its `frames_out` reaches the lane's frames — one answer per request) or the
 * drain timeout passes; its link closes, which ends the old reply lane after its last answer;
 * then the source offers its inbound again and the new target binds its outbound there. The new
 * target's answers wait in its link meanwhile (no outbound lane: its rx is not pulled), so every
 * request is answered once, by the target that took it, and none is lost within the timeout.
 */
import { errorMessage } from "@rtt/core";
import { type LinkRef, linkResourceName, sampleLink } from "./drivers.ts";
import type { WiredRoute } from "./graph.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import { beforeStep } from "./reconciler-options.ts";

/** How long a moved-away target may take to answer its requests before its link is closed. */
export const REPLY_DRAIN_MS = 5000;

/** How long the source's inbound may take to see the old reply lane's end before the rebind. */
const REBIND_TIMEOUT_MS = 2000;

/**
 * Waits for `old.to` to answer the `requests` its lane carried (up to the drain timeout),
 * closes it, and binds the new target `next`'s outbound as the source's reply lane. The move
 * is committed already: a hand-over that fails closes `next` too, so the stability sweep finds
 * the route broken and rewires it from the committed topology (reply lane and all) rather than
 * leaving it with requests going out and no way back. The panel log says how many requests the
 * old target answered, and how many it had not by the drain timeout (lost to the move).
 */
export async function handOverReplies(
  parts: ReconcileParts,
  old: WiredRoute,
  next: LinkRef,
  requests: number,
): Promise<void> {
  try {
    await handOver(parts, old, next, requests);
  } catch (error) {
    parts.options.progress?.(
      `  ${old.edge.route}: its reply lane could not be handed over to ${linkResourceName(next)} (${errorMessage(error)}); closing it, the stability sweep rewires the route`,
    );
    await parts.links.close([next]);
  }
}

async function handOver(
  parts: ReconcileParts,
  old: WiredRoute,
  next: LinkRef,
  requests: number,
): Promise<void> {
  const answered = await answeredBy(parts, old.to, requests);
  await parts.links.close([old.to]);
  await beforeStep(parts.options, "bind-reply", old.edge.route);
  const source = await parts.options.pool.get(old.from.driver);
  const target = await parts.options.pool.get(next.driver);
  const reply = await offerInbound(() => source.offer(old.from.link, "inbound", old.edge.lane));
  await target.bind(next.link, { outbound: reply });
  const unanswered = requests - answered;
  parts.options.progress?.(
    `  ${old.edge.route}: ${linkResourceName(old.to)} answered ${answered} of its ${requests} requests` +
      (unanswered > 0 ? ` (${unanswered} unanswered at the drain timeout)` : "") +
      `; ${linkResourceName(next)} answers from here`,
  );
}

/** The answers `ref` wrote of `requests`, once all are written or the drain timeout passed. */
async function answeredBy(parts: ReconcileParts, ref: LinkRef, requests: number): Promise<number> {
  const driver = parts.options.pool.running(ref.driver);
  if (driver === undefined) return 0; // gone, and its answers with it
  const until = Date.now() + (parts.options.replyDrainMs ?? REPLY_DRAIN_MS);
  let answered = 0;
  for (;;) {
    const sample = await sampleLink(driver, ref.link).catch(() => undefined);
    if (sample === undefined) return answered;
    answered = Math.min(requests, Number(sample.frames_out));
    if (answered >= requests || Date.now() >= until) return answered;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The source's inbound Offer, asked again while the link still holds the old reply lane: its
 * EOS was written before the old link closed, but the source's reader may not have read it yet.
 */
async function offerInbound<T>(offer: () => Promise<T>): Promise<T> {
  const until = Date.now() + REBIND_TIMEOUT_MS;
  for (;;) {
    try {
      return await offer();
    } catch (error) {
      // By message: a driver process's answer comes back through gRPC.
      const stillBound = /already has an inbound lane/.test(errorMessage(error));
      if (!stillBound || Date.now() >= until) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
