import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type Contract, parseReference, type RouteSpec, symbolFromContract } from "@rtt/core";
import fc from "fast-check";
import {
  explainResolution,
  loadRoutes,
  resolveRoutes,
  resolveSelector,
  routeId,
  scanWorkspace,
} from "../src/index.ts";
import { type Fixture, makeWorkspace, manifest } from "./workspace-fixture.ts";

const fixtures: Fixture[] = [];
after(() => {
  for (const f of fixtures) f.remove();
});

async function scanned(): Promise<{
  f: Fixture;
  symbols: Awaited<ReturnType<typeof scanWorkspace>>["symbols"];
}> {
  const f = makeWorkspace();
  fixtures.push(f);
  f.write(
    "a/rtt.manifest.json",
    manifest("rtt://core/api/metrics@2.1.0#prom", { capabilities: ["pull"] }),
  );
  f.write(
    "b/rtt.manifest.json",
    manifest("rtt://core/api/metrics@2.2.0#json", { capabilities: ["pull", "stream"] }),
  );
  f.write("c/rtt.manifest.json", manifest("rtt://obs/extension/logger@1.0.0#ndjson"));
  return { f, symbols: (await scanWorkspace(f.paths)).symbols };
}

describe("resolving route ends against the catalog", async () => {
  const { symbols } = await scanned();
  const explain = (ref: string) => {
    const selector = parseReference(ref);
    const r = resolveSelector(symbols, selector);
    return { n: r.matches.length, why: explainResolution(selector, r) };
  };

  it("one match names it", async () => {
    assert.deepEqual(explain("rtt://obs/extension/logger#ndjson"), {
      n: 1,
      why: "resolves to rtt://obs/extension/logger@1.0.0#ndjson",
    });
    assert.equal(
      explain("rtt://core/api/metrics@2?caps=stream").why,
      "resolves to rtt://core/api/metrics@2.2.0#json",
    );
  });

  it("many matches are ambiguous, and say how to choose", async () => {
    const { n, why } = explain("rtt://core/api/metrics@^2");
    assert.equal(n, 2);
    assert.equal(
      why,
      "ambiguous: 2 symbols match rtt://core/api/metrics@^2 (rtt://core/api/metrics@2.1.0#prom, rtt://core/api/metrics@2.2.0#json); name a version or variant, or pin one in policy.json",
    );
  });

  it("no match says which field differs on the nearest symbol", async () => {
    assert.deepEqual(explain("rtt://core/api/metrics@3"), {
      n: 0,
      why: "no match: rtt://core/api/metrics@1.0.0 (and 2 more like it) has version 1.0.0, the route wants 3",
    });
    assert.deepEqual(explain("rtt://core/api/metrics@2.2#prom"), {
      n: 0,
      why: "no match: rtt://core/api/metrics@2.2.0#json has variant json, the route wants prom",
    });
    assert.deepEqual(explain("rtt://nowhere/api/x"), {
      n: 0,
      why: "no symbol in the catalog is rtt://nowhere/api/x",
    });
  });
});

describe("routes.json", () => {
  it("loads, resolves each end including failover lists, with stable ids", async () => {
    const { f, symbols } = await scanned();
    f.write(
      ".rtt/routes.json",
      JSON.stringify({
        routes: [
          { id: "named", from: "rtt://obs/extension/logger", to: "rtt://core/api/metrics@2.1.0" },
          {
            from: "rtt://obs/extension/logger",
            to: ["rtt://core/api/metrics#json", "rtt://core/api/metrics@9"],
          },
        ],
      }),
    );
    const { routes, diagnostics } = loadRoutes(f.paths);
    assert.deepEqual(diagnostics, []);
    const resolved = resolveRoutes(routes, symbols);
    assert.equal(resolved[0]?.id, "named");
    assert.match(resolved[1]?.id ?? "", /^r-[0-9a-f]{10}$/);
    assert.equal(resolved[1]?.id, routeId(routes[1] ?? { from: "", to: "" }));
    assert.deepEqual(
      resolved[1]?.to.map((t) => t.resolution.matches.length),
      [1, 0],
    );
  });

  it("a bad routes.json comes back as diagnostics with line and column", async () => {
    const { f } = await scanned();
    f.write(
      ".rtt/routes.json",
      '{\n  "routes": [\n    { "from": "rtt://a/api/b", "too": "rtt://c/api/d" }\n  ]\n}\n',
    );
    const { routes, diagnostics } = loadRoutes(f.paths);
    assert.deepEqual(routes, []);
    assert.deepEqual(
      diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
      [
        '.rtt/routes.json:3:5 missing required field "to"',
        '.rtt/routes.json:3:32 unknown field "too"',
      ],
    );
  });
});

describe("resolveRoutes (bucketed by name) against resolving each end over the whole catalog", () => {
  // A small universe, so that names collide and near misses (same name, other version) abound.
  const name = fc.record({
    namespace: fc.constantFrom("core", "obs"),
    type: fc.constantFrom("api", "bus", "extension"),
    name: fc.constantFrom("a", "b"),
  });
  const concrete = fc
    .tuple(name, fc.constantFrom("1.0.0", "1.2.0", "2.0.0"), fc.option(fc.constantFrom("x", "y")))
    .map(
      ([n, v, variant]) =>
        `rtt://${n.namespace}/${n.type}/${n.name}@${v}${variant === null ? "" : `#${variant}`}`,
    );
  const reference = fc
    .tuple(
      name,
      fc.option(fc.constantFrom("1.0.0", "^1", "2.0.0", "^3")),
      fc.option(fc.constantFrom("x", "y")),
    )
    .map(
      ([n, v, variant]) =>
        `rtt://${n.namespace}/${n.type}/${n.name}${v === null ? "" : `@${v}`}${variant === null ? "" : `#${variant}`}`,
    );
  const catalogOf = (saddrs: readonly string[]) =>
    [...new Set(saddrs)].map((saddr) =>
      symbolFromContract({ saddr, type: saddr.split("/")[3], direction: "provider" } as Contract, {
        file: "m/rtt.manifest.json",
        scanner: "manifest",
        score: 1,
      }),
    );

  it("gives every end the same matches, near misses and explanation", async () => {
    fc.assert(
      fc.property(
        fc.array(concrete, { maxLength: 12 }),
        fc.array(fc.tuple(reference, fc.array(reference, { minLength: 1, maxLength: 3 })), {
          maxLength: 6,
        }),
        (saddrs, ends) => {
          const symbols = catalogOf(saddrs);
          const routes: RouteSpec[] = ends.map(([from, to], i) => ({ id: `r${i}`, from, to }));
          const whole = (ref: string) => {
            const selector = parseReference(ref);
            const resolution = resolveSelector(symbols, selector);
            return { reference: ref, resolution, why: explainResolution(selector, resolution) };
          };
          assert.deepEqual(
            resolveRoutes(routes, symbols),
            routes.map((r) => ({
              id: routeId(r),
              from: whole(r.from),
              to: (typeof r.to === "string" ? [r.to] : r.to).map(whole),
            })),
          );
        },
      ),
    );
  });
});
