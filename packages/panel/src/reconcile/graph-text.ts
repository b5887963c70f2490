/**
 * The graph's JSON text as a WAL commit carries it, the same bytes `JSON.stringify` gives, made
 * from each route's edge and links encoded once. A swap's commit journals the whole graph, of
 * which it changed one route: encoding the other routes' edges again was most of the record's
 * cost at a hundred routes. Edges and link refs are never changed in place (a move makes new
 * ones), so an object's text, once made, stays its text.
 */
import type { LinkRef } from "./drivers.ts";
import type { PanelGraph } from "./graph.ts";

const texts = new WeakMap<object, string>();

function textOf(value: object): string {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text;
}

const links = (l: { readonly from: LinkRef; readonly to: LinkRef }) =>
  `{"from":${textOf(l.from)},"to":${textOf(l.to)}}`;

/** The text of `graph.edges` as an object, each edge encoded once. */
function edgesText(graph: Pick<PanelGraph, "edges">): string {
  return `{${Object.entries(graph.edges)
    .map(([id, e]) => `${JSON.stringify(id)}:${textOf(e)}`)
    .join(",")}}`;
}

/**
 * `JSON.stringify({ format, edges })` of the graph: the topology Status reports on every call,
 * where encoding every edge again was most of the call's cost (graph-text.test.ts).
 */
export function topologyText(graph: Pick<PanelGraph, "format" | "edges">): string {
  return `{"format":${JSON.stringify(graph.format)},"edges":${edgesText(graph)}}`;
}

/** `JSON.stringify(graph)`, key order included (graph-text.test.ts holds it to that). */
export function graphText(graph: PanelGraph): string {
  const linked = Object.entries(graph.links).map(([id, l]) => `${JSON.stringify(id)}:${links(l)}`);
  const failed =
    graph.failed_over === undefined ? "" : `,"failed_over":${JSON.stringify(graph.failed_over)}`;
  return (
    `{"format":${JSON.stringify(graph.format)},"edges":${edgesText(graph)},` +
    `"links":{${linked.join(",")}},"drivers":${JSON.stringify(graph.drivers)},` +
    `"breakers":${JSON.stringify(graph.breakers)}${failed}}`
  );
}
