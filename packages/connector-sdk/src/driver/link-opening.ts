/**
 * What a link's Open needs besides the connector's own `open`: the journal and state directory
 * of a journaled route's end (ADR 0016), and the membership of a fan-out source in the shared
 * handle of its symbol (ADR 0025). The runtime (runtime.ts) decides which applies.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  type Contract,
  DEFAULT_ROUTE_BUFFER,
  type ReadRouteQos,
  type RouteAdmissionQos,
} from "@rtt/core";
import type { Connector, OpenContext } from "./define-connector.ts";
import { Link, type LinkRoute } from "./link.ts";
import { DeliveredMark, RouteJournal } from "./route-journal.ts";
import type { SharedEntry, SharedSources } from "./shared-sources.ts";

type Log = (line: string) => void;

/** A journaled source end's journal, or none while another source end holds it. */
function sourceJournal(
  id: string,
  saddr: string,
  dir: string,
  buffer: number | undefined,
  log: Log,
): RouteJournal | undefined {
  const journal = RouteJournal.open(dir, buffer ?? DEFAULT_ROUTE_BUFFER, saddr);
  if (journal instanceof RouteJournal) return journal;
  log(`link ${id}: route journal ${dir} is held by ${journal.busy}: this link runs unjournaled`);
  return undefined;
}

/**
 * A journaled route's end (`qos.journal`): the source end takes the journal (or runs without
 * it while another source end holds it), the target end records its delivered mark; each end
 * gets a state directory of its own under the journal's for what must outlive this process.
 */
export function journaledEnd(
  id: string,
  saddr: string,
  isSource: boolean,
  route: ReadRouteQos,
  log: Log,
): { context: OpenContext; route: LinkRoute } {
  const dir = route.journal;
  if (dir === undefined) return { context: {}, route: {} };
  const end = isSource ? "source" : "target";
  const stateDir = join(
    dir,
    `${end}-${createHash("sha256").update(saddr).digest("hex").slice(0, 12)}`,
  );
  if (!isSource) return { context: { stateDir }, route: { delivered: new DeliveredMark(dir) } };
  const journal = sourceJournal(id, saddr, dir, route.qos?.buffer, log);
  if (journal === undefined) return { context: {}, route: {} };
  return { context: { stateDir, journal }, route: { journal } };
}

/** The source end of a fan-out route being opened. */
export interface SharedOpen {
  readonly id: string;
  readonly saddr: string;
  readonly contract: Contract;
  readonly route: ReadRouteQos;
  readonly qos: RouteAdmissionQos | undefined;
}

/**
 * The source end of a fan-out route (ADR 0025): a member of the shared handle for its symbol.
 * A journaled route's member also takes its journal, which the handle's tee writes.
 */
export async function openSharedLink<L>(
  sources: SharedSources<L>,
  open: SharedOpen,
  log: Log,
): Promise<Link<L>> {
  const { id, saddr, contract, route, qos } = open;
  const journal =
    route.journal === undefined
      ? undefined
      : sourceJournal(id, saddr, route.journal, route.qos?.buffer, log);
  let got: SharedEntry<L>;
  try {
    // A route that refuses rather than waits never holds the shared source back.
    const paces = qos?.drop !== "taildrop" && qos?.drop !== "nack";
    got = await sources.acquire(saddr, contract, route.params, route.journal, journal, paces);
  } catch (error) {
    journal?.close();
    throw error;
  }
  const { shared, member, connector, teeMember } = got;
  const leaving: Connector<L> =
    teeMember === undefined
      ? connector
      : {
          ...connector,
          close: (handle, how) => {
            teeMember.leave();
            return connector.close(handle, how);
          },
        };
  const link: Link<L> = new Link(id, contract, shared.handle, leaving, log, {
    ...(qos === undefined ? {} : { qos }),
    ...(journal === undefined ? {} : { journal }),
    shared: () => shared.members,
  });
  member.onOverflow = (item) => link.refuseUnoffered(item);
  if (shared.members > 1)
    log(`link ${id}: ${saddr} fans out to ${shared.members} routes from one program`);
  return link;
}
