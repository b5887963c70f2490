import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { BreakerState, GraphEdge, GraphNode, TopologyGraph } from "./model.ts";
import { dotString, mermaidText, toDot, toMermaid } from "./render.ts";

/** DOT's reading of a quoted string: `\"` and `\\` are the characters, `\n` a line end. */
function readDotString(quoted: string): string {
  assert.ok(quoted.startsWith('"') && quoted.endsWith('"') && quoted.length >= 2, quoted);
  const body = quoted.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') assert.fail(`an unescaped quote inside ${quoted}`);
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[++i];
    assert.ok(next !== undefined, `a lone backslash ends ${quoted}`);
    out += next === "n" ? "\n" : next;
  }
  return out;
}

/** Mermaid's reading of a label: `#<code>;` is that character, `<br/>` a line end. */
const readMermaid = (text: string): string =>
  text
    .split("<br/>")
    .join("\n")
    .replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));

const anyText = fc.string({ unit: "binary", maxLength: 40 });

test("dotString: any text is one quoted string that DOT reads back as the text (property)", () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const quoted = dotString(text);
      assert.doesNotMatch(quoted, /[\r\n]/);
      assert.equal(readDotString(quoted), text.replace(/\r\n|\r/g, "\n"));
    }),
  );
});

test("mermaidText: no quote, markup or pipe survives, and the text reads back (property)", () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const label = mermaidText(text);
      assert.doesNotMatch(label.split("<br/>").join(""), /["<>|`\r\n]/);
      assert.equal(readMermaid(label), text.replace(/\r\n|\r/g, "\n"));
    }),
  );
});

const id = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
const breaker = fc.constantFrom<BreakerState>("closed", "open", "half-open", "unwired", "unknown");
const graphs = fc.uniqueArray(id, { minLength: 1, maxLength: 6 }).chain((names) => {
  const saddrs = names.map((n) => `rtt://core/api/${n}@1.0.0`);
  const node = (saddr: string, i: number): GraphNode => ({
    id: saddr,
    type: "api",
    name: names[i] ?? "",
    catalogued: i % 2 === 0,
  });
  const edge = fc.record({
    id,
    from: fc.constantFrom(...saddrs),
    to: fc.constantFrom(...saddrs),
    breaker,
    held: fc.boolean(),
    degraded: fc.boolean(),
  });
  return fc
    .uniqueArray(edge, { selector: (e: GraphEdge) => e.id, maxLength: 6 })
    .map((edges): TopologyGraph => ({ source: "panel", nodes: saddrs.map(node), edges }));
});

test("toDot and toMermaid: the same topology in any order is the same text (property)", () => {
  fc.assert(
    fc.property(graphs, fc.infiniteStream(fc.nat()), (graph, picks) => {
      const shuffle = <T>(xs: readonly T[]): T[] => {
        const out = [...xs];
        for (let i = out.length - 1; i > 0; i--) {
          const j = (picks.next().value as number) % (i + 1);
          [out[i], out[j]] = [out[j] as T, out[i] as T];
        }
        return out;
      };
      const shuffled = { ...graph, nodes: shuffle(graph.nodes), edges: shuffle(graph.edges) };
      assert.equal(toDot(shuffled), toDot(graph));
      assert.equal(toMermaid(shuffled), toMermaid(graph));
    }),
  );
});

test("toDot: one node line per symbol, one edge line per route, each naming its route", () => {
  fc.assert(
    fc.property(graphs, (graph) => {
      const lines = toDot(graph).split("\n");
      assert.equal(lines.filter((l) => /^ {2}n\d+ \[label=/.test(l)).length, graph.nodes.length);
      const edgeLines = lines.filter((l) => /^ {2}n\d+ -> n\d+ /.test(l));
      assert.equal(edgeLines.length, graph.edges.length);
      for (const e of graph.edges)
        assert.ok(
          edgeLines.some((l) => l.includes(`label="${e.id}\\n`)),
          `no edge labelled ${e.id}`,
        );
    }),
  );
});
