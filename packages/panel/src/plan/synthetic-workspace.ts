/**
 * A synthetic workspace of N routes, for the plan benchmark (bench/plan) and the test that a
 * plan of it is the same whatever the planner has cached (plan-memo.test.ts).
 *
 * N consumers (hooks with x-run), N/2 providers (apis) as N/6 names in 3 versions each across
 * 10 namespaces, so each route's `to` (`@^1`) resolves to 3 candidates, of which the consumer's
 * version set (`~1.2`) admits one (the router refuses a tie, issue 14); a tenth of the routes
 * have a failover list, a seventh have params; a policy of 2 allow rules, a deny, a pin and 3
 * QoS rules. The observed graph is the desired one with a tenth of the routes unwired, a tenth
 * rewired and a tenth's worth of routes no longer in routes.json, so the diff has creates,
 * replaces and deletes.
 */
import {
  type CatalogSymbol,
  type Contract,
  type Policy,
  type RouteSpec,
  symbolFromContract,
} from "@rtt/core";
import { makePlan, NOT_STRICT, type PlanInputs } from "./plan.ts";
import { type Edge, type Topology, topologyOf } from "./topology.ts";

const source = { file: "rtt.manifest.json", scanner: "manifest", score: 1 } as const;
export const sym = (c: Record<string, unknown>): CatalogSymbol =>
  symbolFromContract(c as unknown as Contract, source);

/** N/6 provider names (`names`) in 3 versions each, across 10 namespaces. */
function providers(names: number): CatalogSymbol[] {
  const catalog: CatalogSymbol[] = [];
  for (let k = 0; k < names; k++) {
    for (const v of ["1.0.0", "1.1.0", "1.2.0"]) {
      catalog.push(
        sym({
          saddr: `rtt://p${k % 10}/api/svc${k}@${v}`,
          type: "api",
          direction: "provider",
          capabilities: ["pull", "stream"],
          io: "req",
          qos: { latency_budget_ms: 2, throughput_qps: 5000 },
          "x-run": ["node", "server.mjs"],
        }),
      );
    }
  }
  return catalog;
}

/** One consumer hook per route. */
function consumers(n: number): CatalogSymbol[] {
  return Array.from({ length: n }, (_, i) =>
    sym({
      saddr: `rtt://c${i % 10}/hook/ui${i}@1.0.0`,
      type: "hook",
      direction: "consumer",
      capabilities: ["pull"],
      io: "req",
      version_set: "~1.2",
      "x-run": ["node", "hook.mjs"],
    }),
  );
}

/** Route i from consumer i to a provider name's `@^1`: a tenth with a failover list, a seventh with params. */
function routesTo(n: number, names: number): RouteSpec[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i % names;
    const to = `rtt://p${k % 10}/api/svc${k}@^1`;
    return {
      id: `route-${i}`,
      from: `rtt://c${i % 10}/hook/ui${i}`,
      to: i % 10 === 3 ? [to, `rtt://p${(k + 1) % 10}/api/svc${(k + 1) % names}@^1`] : to,
      ...(i % 7 === 0 ? { params: { timeout_ms: 250, mode: "fast" } } : {}),
    };
  });
}

const POLICY: Policy = {
  allow: [
    { from: "rtt://c*/hook/*", to: "rtt://p*/api/*" },
    { from: "rtt://ops/*/*", to: "rtt://*/*/*" },
  ],
  deny: [{ from: "rtt://c9/hook/*", to: "rtt://p0/api/*" }],
  pin: [{ route: "rtt://c1/hook/ui1 -> rtt://p1/api/svc1@1.0.0" }],
  qos: [
    { match: "rtt://c0/*/*", prio: 0, latency_ms: 5 },
    { match: "rtt://c1/*/*", prio: 1 },
    { match: "rtt://*/hook/*", prio: 3, rate: 100 },
  ],
};

/**
 * Observed: the desired graph, minus a tenth (creates) and with a tenth rewired (replaces),
 * plus a tenth's worth of routes no longer in routes.json (deletes).
 */
function observedTopology(inputs: PlanInputs): Topology {
  const desired = makePlan(inputs, { format: "rtt.topology/v1", edges: {} }, 0).desired;
  const observed: Edge[] = [];
  for (const [i, e] of Object.values(desired.edges).entries()) {
    if (i % 10 === 0) continue;
    observed.push(i % 10 === 5 ? { ...e, lane: "uds" } : e);
    if (i % 10 === 7) observed.push({ ...e, route: `gone-${i}` });
  }
  return topologyOf(observed);
}

export function syntheticWorkspace(n: number): { inputs: PlanInputs; observed: Topology } {
  const names = Math.max(1, Math.ceil(n / 6));
  const inputs: PlanInputs = {
    catalog: [...providers(names), ...consumers(n)],
    routes: routesTo(n, names),
    policy: POLICY,
    prefer: ["shm", "uds", "tcp"],
    security: NOT_STRICT,
  };
  return { inputs, observed: observedTopology(inputs) };
}
