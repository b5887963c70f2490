/**
 * `rtt graph`'s text forms of a TopologyGraph: Graphviz DOT and a Mermaid flowchart, for docs.
 * Nodes get positional ids (n0, n1, ...) so no address has to be a valid identifier; every label
 * is escaped, since addresses and route ids come from files anyone may have written. The graph
 * is sorted again here, so the output depends on the topology alone.
 */
import { BREAKER_COLOURS, type GraphEdge, type GraphNode, type TopologyGraph } from "./model.ts";

export const GRAPH_FORMATS = ["dot", "mermaid"] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

const byId = <T extends { readonly id: string }>(a: T, b: T) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** The graph's nodes and edges sorted, each node with its positional id. */
function laidOut(graph: TopologyGraph) {
  const nodes = [...graph.nodes].sort(byId);
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const idOf = (saddr: string) => ids.get(saddr) ?? "n?";
  return { nodes, edges: [...graph.edges].sort(byId), idOf };
}

/** What an edge's label says of its state after the route id. */
export function edgeState(e: GraphEdge): string {
  if (e.degraded) return `${e.breaker}, degraded`;
  if (e.held) return `${e.breaker}, held`;
  return e.breaker;
}

/** A DOT quoted string: backslash and quote escaped, line ends as DOT's `\n`. */
export function dotString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, "\\n")}"`;
}

const dotNode = (n: GraphNode, id: string) =>
  `  ${id} [label=${dotString(`${n.name}\n${n.type}`)}, tooltip=${dotString(n.id)}${n.catalogued ? "" : ", style=dashed"}];`;

export function toDot(graph: TopologyGraph): string {
  const { nodes, edges, idOf } = laidOut(graph);
  return [
    "digraph rtt {",
    "  rankdir=LR;",
    '  node [shape=box, style=rounded, fontname="sans-serif"];',
    '  edge [fontname="sans-serif"];',
    ...nodes.map((n) => dotNode(n, idOf(n.id))),
    ...edges.map(
      (e) =>
        `  ${idOf(e.from)} -> ${idOf(e.to)} [label=${dotString(`${e.id}\n${edgeState(e)}`)}, color=${dotString(BREAKER_COLOURS[e.breaker])}];`,
    ),
    "}",
    "",
  ].join("\n");
}

/**
 * Text inside a quoted Mermaid label: the characters Mermaid reads as markup or quoting become
 * its entity codes (`#quot;`, `#35;`); a line end becomes `<br/>`, which it draws as one.
 */
export function mermaidText(text: string): string {
  return text
    .split(/\r\n|[\r\n]/)
    .map((line) => line.replace(/["#<>|&`]/g, (c) => `#${c.codePointAt(0)};`))
    .join("<br/>");
}

export function toMermaid(graph: TopologyGraph): string {
  const { nodes, edges, idOf } = laidOut(graph);
  return [
    "flowchart LR",
    ...nodes.map((n) => `  ${idOf(n.id)}["${mermaidText(`${n.name}\n${n.type}`)}"]`),
    ...edges.map(
      (e) => `  ${idOf(e.from)} -->|"${mermaidText(`${e.id}\n${edgeState(e)}`)}"| ${idOf(e.to)}`,
    ),
    ...edges.map(
      (e, i) => `  linkStyle ${i} stroke:${BREAKER_COLOURS[e.breaker]},stroke-width:2px`,
    ),
    ...nodes.filter((n) => !n.catalogued).map((n) => `  style ${idOf(n.id)} stroke-dasharray:4`),
    "",
  ].join("\n");
}

export function renderGraph(graph: TopologyGraph, format: GraphFormat): string {
  return format === "dot" ? toDot(graph) : toMermaid(graph);
}
