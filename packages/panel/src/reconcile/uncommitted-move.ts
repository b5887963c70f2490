/**
 * A target move whose commit the WAL could not write (a full disk; issue 15, finding 6). The
 * Switch already moved the source, but the committed topology — what a restart rewires — is
 * still the old one, so the move is undone rather than left live and uncommitted: the source is
 * switched back onto its old target (offered again, as a warm spare is: the old link is still
 * open, it is only retired after a commit), or parked again after an unpark, and the new link is
 * closed. Nothing here writes the WAL but the releases and the abort, which may fail harmlessly.
 */
import { errorMessage } from "@rtt/core";
import { type LinkRef, switchOutbound } from "./drivers.ts";
import type { WiredRoute } from "./graph.ts";
import { agree, laneOptions, txNonce } from "./handshake-ask.ts";
import type { RoutesSnapshot } from "./live-routes.ts";
import type { ReconcileParts } from "./reconcile-parts.ts";
import type { MoveMode } from "./target-moves.ts";

export interface UncommittedMove {
  readonly txid: string;
  readonly before: WiredRoute;
  /** The live routes as they were before the move. */
  readonly snapshot: RoutesSnapshot;
  /** The new target's link. */
  readonly to: LinkRef;
  readonly mode: MoveMode;
  /** The source was not switched (a held route moved by an apply). */
  readonly held: boolean;
}

/** Undoes `m` (see the top of this file); a failure to undo is logged, the route left as it runs. */
export async function undoUncommittedMove(
  parts: ReconcileParts,
  m: UncommittedMove,
): Promise<void> {
  const { before } = m;
  const routeId = before.edge.route;
  const { pool, progress, wal } = parts.options;
  try {
    if (m.mode === "unpark") {
      await switchOutbound(await pool.get(before.from.driver), before.from.link, undefined);
    } else if (!m.held) {
      const source = await pool.get(before.from.driver);
      const offered = await agree({
        source: { driver: source, link: before.from.link },
        target: { driver: await pool.get(before.to.driver), link: before.to.link },
        lane: before.edge.lane,
        ...laneOptions(parts.options),
        route: routeId,
        from: before.edge.from.saddr,
        to: before.edge.to,
        tokens: parts.options.routeTokens,
        nonce: txNonce(`${m.txid}/undo`, routeId),
      });
      await switchOutbound(source, before.from.link, offered.address);
    }
    parts.routes.restore(m.snapshot);
    await parts.links.close([m.to]);
  } catch (error) {
    progress?.(
      `  could not undo the uncommitted move of ${routeId}: ${errorMessage(error)}; it runs on the new target until the next commit or restart`,
    );
  }
  try {
    wal.abort(m.txid);
  } catch {
    // A lost abort replays as partial, which is discarded.
  }
}
