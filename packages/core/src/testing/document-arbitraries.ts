/**
 * Test-only: fast-check generators of valid documents of each kind (manifest, routes, policy,
 * panel config), for the validator's property tests.
 */
import fc from "fast-check";
import { DROP_POLICIES, LANE_KINDS } from "../qos.ts";
import { IO_MODES } from "../saddr.ts";
import { AUTH_MODES, DIRECTIONS } from "../schemas/manifest.ts";
import { REROUTE_SETTINGS, SANDBOX_SETTINGS } from "../schemas/panel-config.ts";
import type { DocumentKind } from "../validate.ts";
import {
  anyAddress,
  concreteAddress,
  rangeVersion,
  referenceAddress,
  segment,
} from "./saddr-arbitraries.ts";

const shortString = fc.string({ maxLength: 10 });
const positive = fc.double({ min: 0.001, max: 10000, noNaN: true, noDefaultInfinity: true });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops undefined members so the document is plain JSON. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const ioSlot = fc.record({ name: segment, schema: fc.string({ minLength: 1, maxLength: 12 }) });

const manifestDoc = fc
  .record({
    address: concreteAddress({ noQuery: true }),
    withSchema: fc.boolean(),
    direction: fc.constantFrom(...DIRECTIONS),
    capabilities: opt(fc.uniqueArray(segment, { maxLength: 3 })),
    io: opt(fc.constantFrom(...IO_MODES)),
    inputs: opt(fc.array(ioSlot, { maxLength: 2 })),
    outputs: opt(fc.array(ioSlot, { maxLength: 2 })),
    qos: opt(
      fc.record(
        {
          latency_budget_ms: positive,
          throughput_qps: positive,
          burst: fc.integer({ min: 1, max: 1000 }),
          priority: fc.integer({ min: 0, max: 7 }),
          busy_poll: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    ),
    version_set: opt(rangeVersion.map((v) => v.normal)),
    auth: opt(
      fc.record(
        {
          mode: fc.constantFrom(...AUTH_MODES),
          scopes: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 2 }),
        },
        { requiredKeys: ["mode"] },
      ),
    ),
    tags: opt(fc.dictionary(segment, shortString, { maxKeys: 3 })),
    note: opt(shortString),
  })
  .map((m) => ({
    ...(m.withSchema ? { $schema: "https://rtt/spec/v1" } : {}),
    symbol: compact({
      saddr: m.address.text,
      type: m.address.address.type,
      direction: m.direction,
      capabilities: m.capabilities,
      io: m.io,
      inputs: m.inputs,
      outputs: m.outputs,
      qos: m.qos === undefined ? undefined : { ...m.qos },
      version_set: m.version_set,
      auth: m.auth === undefined ? undefined : { ...m.auth },
      tags: m.tags === undefined ? undefined : { ...m.tags },
      "x-note": m.note,
    }),
  }));

const routeEnd = fc.oneof(concreteAddress(), referenceAddress()).map((a) => a.text);

const routesDoc = fc
  .record({
    schema: opt(shortString),
    routes: fc.array(
      fc.record({
        named: fc.boolean(),
        from: routeEnd,
        to: fc.oneof(routeEnd, fc.array(routeEnd, { minLength: 1, maxLength: 3 })),
        params: opt(
          fc.dictionary(segment, fc.oneof(shortString, fc.integer(), fc.boolean()), { maxKeys: 2 }),
        ),
      }),
      { maxLength: 4 },
    ),
  })
  .map((r) => ({
    ...(r.schema === undefined ? {} : { $schema: r.schema }),
    routes: r.routes.map((route, i) =>
      compact({
        id: route.named ? `route-${i}` : undefined,
        from: route.from,
        to: route.to,
        params: route.params === undefined ? undefined : { ...route.params },
      }),
    ),
  }));

const healthExpr = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom("p50", "p95", "p99", "lag", "err"),
      fc.constantFrom("<", "<="),
      fc.integer({ min: 0, max: 100 }),
    ),
    { selector: ([metric]) => metric, minLength: 1, maxLength: 3 },
  )
  .map((terms) =>
    terms.map(([m, op, n]) => (m === "err" ? `err${op}${n}%` : `${m}${op}${n}ms`)).join(","),
  );

const aclRule = fc
  .record(
    {
      from: anyAddress().map((a) => a.text),
      to: anyAddress().map((a) => a.text),
      scopes: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 2 }),
    },
    { requiredKeys: ["from", "to"] },
  )
  .map((r) => ({ ...r }));

const policyDoc = fc
  .record(
    {
      $schema: shortString,
      allow: fc.array(aclRule, { maxLength: 2 }),
      deny: fc.array(aclRule, { maxLength: 2 }),
      pin: fc.array(
        fc
          .tuple(routeEnd, concreteAddress())
          .map(([from, to]) => ({ route: `${from} -> ${to.text}` })),
        { maxLength: 2 },
      ),
      qos: fc.array(
        fc
          .record(
            {
              match: anyAddress().map((a) => a.text),
              latency_ms: positive,
              prio: fc.integer({ min: 0, max: 7 }),
              rate: positive,
              burst: fc.integer({ min: 1, max: 100 }),
              drop: fc.constantFrom(...DROP_POLICIES),
              buffer: fc.integer({ min: 1, max: 100 }),
              busy_poll: fc.boolean(),
            },
            { requiredKeys: ["match"] },
          )
          .map((r) => ({ ...r })),
        { maxLength: 2 },
      ),
      failover: fc.array(
        fc
          .record(
            {
              route: fc
                .tuple(routeEnd, fc.array(routeEnd, { minLength: 1, maxLength: 3 }))
                .map(([from, to]) => `${from} -> [${to.join(", ")}]`),
              health: healthExpr,
            },
            { requiredKeys: ["route"] },
          )
          .map((r) => ({ ...r })),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map((p) => ({ ...p }));

const pathText = fc.stringMatching(/^[a-zA-Z0-9._/-]{1,12}$/);
const panelDoc = fc
  .record(
    {
      api: fc.record(
        {
          listen: pathText.map((p) => `unix:///tmp/${p}.sock`),
          max_streams: fc.integer({ min: 1, max: 65536 }),
          max_streams_per_connection: fc.integer({ min: 1, max: 65536 }),
        },
        { requiredKeys: [] },
      ),
      scan: fc.record(
        {
          roots: fc.array(pathText, { minLength: 1, maxLength: 3 }),
          ignore: fc.array(pathText, { maxLength: 3 }),
          follow_symlinks: fc.constantFrom("within", "always", "never", true, false),
          max_manifest_bytes: fc.integer({ min: 1024, max: 10_000_000 }),
          watch: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
      routing: fc.record(
        {
          prefer: fc.uniqueArray(fc.constantFrom(...LANE_KINDS), { minLength: 1 }),
          rewire_atomic: fc.boolean(),
          reroute: fc.constantFrom(...REROUTE_SETTINGS),
        },
        { requiredKeys: [] },
      ),
      security: fc.record(
        {
          strict_manifests: fc.boolean(),
          allow_unsigned: fc.array(
            anyAddress().map((a) => a.text),
            { maxLength: 2 },
          ),
          require_tokens: fc.boolean(),
          sandbox: fc.constantFrom(...SANDBOX_SETTINGS),
          allow_uids: fc.uniqueArray(fc.integer({ min: 0, max: 4294967294 }), { maxLength: 3 }),
          allow_paths: fc.uniqueArray(
            fc
              .array(fc.stringMatching(/^[a-z0-9_-][a-z0-9._-]{0,7}$/), { maxLength: 3 })
              .map((parts) => `/${parts.join("/")}`),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
      health: fc.record(
        {
          heartbeat_ms: fc.integer({ min: 10, max: 100000 }),
          trip_threshold: fc.record(
            {
              errors: fc.integer({ min: 1, max: 100 }),
              window_ms: fc.integer({ min: 1, max: 1e6 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  // fc.record may build prototype-less objects; a JSON round trip makes them plain data.
  .map((p) => JSON.parse(JSON.stringify(p)) as Record<string, unknown>);

export const DOCS: Record<DocumentKind, fc.Arbitrary<unknown>> = {
  manifest: manifestDoc,
  routes: routesDoc,
  policy: policyDoc,
  "panel-config": panelDoc,
};
