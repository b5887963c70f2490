/**
 * What `rtt qc` and a breaker's failover need before the reconciler moves a route: which wired
 * route is meant, which catalog symbol the new target is, and that the policy and compat allow
 * that wire — the same router checks a plan makes (strict-mode trust, pin, ACL, compat, QoS fit),
 * so a hot swap can never wire what `rtt apply` would refuse.
 */
import {
  addressOf,
  type CatalogSymbol,
  matches,
  parseConcrete,
  parseReference,
  quoteInput,
  RttError,
} from "@rtt/core";
import { resolveSelector } from "../catalog.ts";
import { driverFor } from "../plan/topology.ts";
import type { PolicyEngine } from "../policy/policy-engine.ts";
import type { WiredRoute } from "../reconcile/graph.ts";
import { type ManifestTrust, routeDecision } from "../router/router.ts";

export interface SwapTarget {
  readonly route: WiredRoute;
  readonly target: CatalogSymbol;
  readonly driver: string;
}

/** The wired route `from` names: its id (`route/<id>` too), or its source's address. */
export function findWiredRoute(from: string, live: Iterable<WiredRoute>): WiredRoute {
  const routes = [...live];
  const id = from.startsWith("route/") ? from.slice("route/".length) : from;
  const byId = routes.find((r) => r.edge.route === id);
  if (byId !== undefined) return byId;
  let selector: ReturnType<typeof parseReference> | undefined;
  try {
    selector = parseReference(from);
  } catch {
    selector = undefined;
  }
  const bySource =
    selector === undefined
      ? []
      : routes.filter((r) => matches(selector, parseConcrete(r.edge.from.saddr)));
  if (bySource.length === 1 && bySource[0] !== undefined) return bySource[0];
  throw new RttError(
    "RTT_ERR_PLAN_INVALID",
    bySource.length > 1
      ? `${quoteInput(from)} is the source of ${bySource.length} wired routes (${bySource.map((r) => r.edge.route).join(", ")})`
      : `no wired route is ${quoteInput(from)} (by id or source)`,
    { hint: "name the route by its id; `rtt ls routes` shows the wired ones" },
  );
}

/**
 * Swaps that passed the checks, per catalog, policy and trust: the router's decision is a
 * function of the route, the target, the catalog, the policy and panel.yaml's strict mode alone,
 * and costs ~0.5 ms — on the critical path of every `rtt qc`. The daemon's catalog, policy and
 * trust are file-cached objects, so an edit to any of those files is a new key and starts afresh.
 */
const checkedSwaps = new WeakMap<
  readonly CatalogSymbol[],
  WeakMap<PolicyEngine, WeakMap<ManifestTrust, Map<string, Omit<SwapTarget, "route">>>>
>();

/** Resolves and checks the new target of a swap of `route` to `to` (a reference). */
export function swapTarget(
  route: WiredRoute,
  to: string,
  catalog: readonly CatalogSymbol[],
  policy: PolicyEngine,
  trust: ManifestTrust,
): SwapTarget {
  const byPolicy = checkedSwaps.get(catalog) ?? new WeakMap();
  checkedSwaps.set(catalog, byPolicy);
  const byTrust = byPolicy.get(policy) ?? new WeakMap();
  byPolicy.set(policy, byTrust);
  const checked = byTrust.get(trust) ?? new Map();
  byTrust.set(trust, checked);
  const { edge } = route;
  const key = JSON.stringify([edge.route, edge.from.saddr, edge.lane, to]);
  let swap = checked.get(key);
  if (swap === undefined) {
    swap = checkSwap(route, to, catalog, policy, trust);
    checked.set(key, swap);
  }
  return { route, ...swap };
}

function checkSwap(
  route: WiredRoute,
  to: string,
  catalog: readonly CatalogSymbol[],
  policy: PolicyEngine,
  trust: ManifestTrust,
): Omit<SwapTarget, "route"> {
  const resolution = resolveSelector(catalog, parseReference(to));
  const target = resolution.matches.length === 1 ? resolution.matches[0] : undefined;
  if (target === undefined)
    throw new RttError(
      "RTT_ERR_PLAN_INVALID",
      `${to} must resolve to exactly one symbol; it resolves to ${resolution.matches.length}`,
      { hint: "`rtt ls symbols` lists them; add a version or #variant to pick one" },
    );
  const decision = routeDecision(
    { id: route.edge.route, from: route.edge.from.saddr, to: target.saddr },
    catalog,
    policy,
    { trust, preferLanes: [route.edge.lane] },
  );
  if (decision.chosen !== target.saddr) {
    const why = decision.candidates.find((c) => c.saddr === target.saddr)?.reason;
    throw new RttError(
      "RTT_ERR_PLAN_INVALID",
      `route ${route.edge.route} may not be wired to ${target.saddr}: ${why ?? decision.reasons.join(" ")}`,
      {
        hint: "strict mode (panel.yaml security), the policy (pin, allow/deny) and the contracts decide; `rtt plan` explains",
      },
    );
  }
  const driver = driverFor(target);
  if (driver === undefined)
    throw new RttError("RTT_ERR_PLAN_INVALID", `no driver can open ${target.saddr}`, {
      hint: 'give its manifest an "x-run" argv, an "x-url", or an "x-driver"',
    });
  return { target, driver };
}

/**
 * Where a route whose breaker opened can fail over to: the policy's failover targets for its
 * source, in order, that resolve to a symbol other than the current target and pass the checks.
 * One-way and request/response routes alike (a request/response move hands its reply lane
 * over: reconcile/reply-handover.ts); a degraded route's stub is the last resort, not in here.
 */
export function failoverTarget(
  route: WiredRoute,
  catalog: readonly CatalogSymbol[],
  policy: PolicyEngine,
  trust: ManifestTrust,
): SwapTarget | undefined {
  const source = catalog.find((s) => s.saddr === route.edge.from.saddr);
  if (source === undefined) return undefined;
  const rule = policy.failoverFor(addressOf(source));
  for (const target of rule?.targets ?? []) {
    for (const candidate of resolveSelector(catalog, target).matches) {
      if (candidate.saddr === route.edge.to.saddr) continue;
      try {
        return swapTarget(route, candidate.saddr, catalog, policy, trust);
      } catch {
        // Not allowed or not openable: the next one.
      }
    }
  }
  return undefined;
}
