/** Reading `.rtt/routes.json` and resolving each route's ends against the catalog (`rtt ls routes`). */
import { canonicalHash } from "@rtt/core/canonical-json.ts";
import type { Diagnostic } from "@rtt/core/errors.ts";
import { parseReference } from "@rtt/core/saddr.ts";
import type { RouteSpec } from "@rtt/core/schemas/routes.ts";
import type { CatalogSymbol } from "@rtt/core/symbol.ts";
import { explainResolution, nameBuckets, type Resolution, resolveSelector } from "./catalog.ts";
import { loadDocument } from "./workspace/documents.ts";
import { relativeToRoot, type WorkspacePaths } from "./workspace/workspace.ts";

export function loadRoutes(paths: WorkspacePaths): {
  routes: readonly RouteSpec[];
  diagnostics: readonly Diagnostic[];
} {
  // Absent is an error, not "no routes": an apply would unwire everything.
  const { value, diagnostics } = loadDocument(
    "routes",
    paths.routes,
    relativeToRoot(paths, paths.routes),
    {
      missing: '`rtt init` writes one; {"routes": []} wires nothing',
    },
  );
  return { routes: value?.routes ?? [], diagnostics };
}

/** A route's id: its name if it has one, else a short hash of its ends (stable across runs). */
export function routeId(route: RouteSpec): string {
  if (route.id !== undefined) return route.id;
  return `r-${canonicalHash({ from: route.from, to: route.to }).slice(0, 10)}`;
}

export interface EndResolution {
  readonly reference: string;
  readonly resolution: Resolution;
  readonly why: string;
}

export interface RouteResolution {
  readonly id: string;
  readonly from: EndResolution;
  /** One per target; several for a failover list. */
  readonly to: readonly EndResolution[];
}

/** Each route's ends resolved against the catalog (each end against its name's bucket only). */
export function resolveRoutes(
  routes: readonly RouteSpec[],
  symbols: readonly CatalogSymbol[],
): RouteResolution[] {
  const bucketOf = nameBuckets(symbols);
  const resolveEnd = (reference: string): EndResolution => {
    const selector = parseReference(reference);
    const resolution = resolveSelector(bucketOf(reference) ?? symbols, selector);
    return { reference, resolution, why: explainResolution(selector, resolution) };
  };
  return routes.map((route) => ({
    id: routeId(route),
    from: resolveEnd(route.from),
    to: (typeof route.to === "string" ? [route.to] : route.to).map(resolveEnd),
  }));
}
