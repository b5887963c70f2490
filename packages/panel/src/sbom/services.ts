/**
 * The SBOM's services: each wired route of the committed topology, with the data that flows
 * through it. The library's Service model has no `data`, so the flows are plain JSON added to the
 * serialized document (`routeData`). CycloneDX states a flow's direction relative to the service:
 * data enters the route from one end (`inbound`, its `source`) and leaves it to the other
 * (`outbound`, its `destination`).
 */
import { Models } from "@cyclonedx/cyclonedx-library";
import type { Edge } from "../plan/topology.ts";
import { symbolRef } from "./components.ts";
import { bomLink } from "./serial.ts";

export const routeRef = (id: string): string => `rtt-route:${id}`;

/** RTT does not know what the frames carry: the owner classifies them, not the panel. */
export const DATA_CLASSIFICATION = "unclassified";

/** The route's service; `ends` are the components of its source and target symbols. */
export function routeService(
  edge: Edge,
  ends: { readonly from: Models.Component | undefined; readonly to: Models.Component | undefined },
): Models.Service {
  const service = new Models.Service(edge.route, {
    bomRef: routeRef(edge.route),
    group: "rtt-route",
    description: `${edge.from.saddr} → ${edge.to.saddr}`,
  });
  const props: Record<string, string> = {
    "rtt:from": edge.from.saddr,
    "rtt:from_driver": edge.from.driver,
    "rtt:lane": edge.lane,
    "rtt:pattern": edge.pattern,
    "rtt:prio": String(edge.prio),
    "rtt:to": edge.to.saddr,
    "rtt:to_driver": edge.to.driver,
  };
  for (const name of Object.keys(props).sort())
    service.properties.add(new Models.Property(name, props[name] ?? ""));
  for (const end of [ends.from, ends.to])
    if (end !== undefined) service.dependencies.add(end.bomRef);
  return service;
}

/** One `data` entry of a service (CycloneDX 1.6 `serviceData`). */
export interface ServiceData {
  readonly flow: "inbound" | "outbound";
  readonly classification: string;
  readonly name: string;
  readonly source?: readonly string[];
  readonly destination?: readonly string[];
}

/** What one direction of traffic carries: in from `from`, out to `to`. */
function carried(name: string, from: string, to: string, serial: string): ServiceData[] {
  return [
    { flow: "inbound", classification: DATA_CLASSIFICATION, name, source: [bomLink(serial, from)] },
    {
      flow: "outbound",
      classification: DATA_CLASSIFICATION,
      name,
      destination: [bomLink(serial, to)],
    },
  ];
}

/**
 * The route's data flows, as BOM-links into the document `serial`: a one-way route carries
 * frames source → target; a request/response route requests source → target and responses back.
 */
export function routeData(edge: Edge, serial: string): ServiceData[] {
  const [from, to] = [symbolRef(edge.from.saddr), symbolRef(edge.to.saddr)];
  return edge.pattern === "oneway"
    ? carried("frames", from, to, serial)
    : [...carried("requests", from, to, serial), ...carried("responses", to, from, serial)];
}
