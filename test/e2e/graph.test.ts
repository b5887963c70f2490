/**
 * `rtt graph` on a temp copy of the quickstart with no panel running: the topology routes.json
 * would wire, from the catalog (both loggers), as
 * DOT, Mermaid and JSON — the same bytes run after run. (From a running panel, with breakers,
 * test/e2e/ui.test.ts checks it beside the page.) And `rtt ui` refusing an address off
 * loopback before it serves anything.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { copyQuickstart, editJson } from "../support/quickstart.ts";
import { parseJson, removeTempDirs, runRtt } from "./helpers.ts";

after(removeTempDirs);

const rtt = async (cwd: string, args: readonly string[]) => {
  const r = await runRtt(args, { cwd });
  assert.equal(r.code, 0, `rtt ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

const DOT = `digraph rtt {
  rankdir=LR;
  node [shape=box, style=rounded, fontname="sans-serif"];
  edge [fontname="sans-serif"];
  n0 [label="metrics@1.0.0#prom\\napi", tooltip="rtt://core/api/metrics@1.0.0#prom"];
  n1 [label="events@1.0.0\\nbus", tooltip="rtt://core/bus/events@1.0.0"];
  n2 [label="logger2@1.0.0#ndjson\\nextension", tooltip="rtt://obs/extension/logger2@1.0.0#ndjson"];
  n3 [label="logger@1.0.0#ndjson\\nextension", tooltip="rtt://obs/extension/logger@1.0.0#ndjson"];
  n4 [label="refresh@1.0.0\\nhook", tooltip="rtt://ui/hook/refresh@1.0.0"];
  n5 [label="nowhere\\napi", tooltip="rtt://x/api/nowhere", style=dashed];
  n1 -> n3 [label="events-to-log\\nunwired", color="#9e9e9e"];
  n4 -> n5 [label="to-nowhere\\nunwired", color="#9e9e9e"];
  n4 -> n0 [label="ui-refresh\\nunwired", color="#9e9e9e"];
}
`;

describe("rtt graph without a panel", () => {
  it("prints routes.json's topology as DOT, Mermaid and JSON, the same every time", async () => {
    const root = copyQuickstart();
    // A route to a symbol no manifest declares: drawn to its reference, dashed.
    editJson<{ routes: { id: string; from: string; to: string }[] }>(
      root,
      ".rtt/routes.json",
      (file) => {
        file.routes.push({
          id: "to-nowhere",
          from: "rtt://ui/hook/refresh",
          to: "rtt://x/api/nowhere",
        });
      },
    );
    await rtt(root, ["scan"]);

    const dot = await rtt(root, ["graph"]);
    assert.equal(dot, DOT);
    assert.equal(await rtt(root, ["graph", "--format", "dot"]), dot, "the same bytes again");

    const mermaid = await rtt(root, ["graph", "--format", "mermaid"]);
    const lines = mermaid.split("\n");
    assert.equal(lines[0], "flowchart LR");
    assert.ok(lines.includes('  n1 -->|"events-to-log<br/>unwired"| n3'), mermaid);
    assert.ok(lines.includes('  n3["logger@1.0.0#35;ndjson<br/>extension"]'), mermaid);
    assert.ok(lines.includes("  style n5 stroke-dasharray:4"), mermaid);

    const graph = parseJson(await rtt(root, ["graph", "--json"])) as {
      source: string;
      nodes: { id: string; catalogued: boolean }[];
      edges: { id: string; from: string; to: string; breaker: string }[];
    };
    assert.equal(graph.source, "files");
    assert.deepEqual(
      graph.edges.map((e) => [e.id, e.breaker]),
      [
        ["events-to-log", "unwired"],
        ["to-nowhere", "unwired"],
        ["ui-refresh", "unwired"],
      ],
    );
    assert.deepEqual(
      graph.nodes.filter((n) => !n.catalogued).map((n) => n.id),
      ["rtt://x/api/nowhere"],
    );

    const bad = await runRtt(["graph", "--format", "svg"], { cwd: root });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Allowed choices are dot, mermaid/);
  });
});

describe("rtt ui's address", () => {
  it("is refused, with exit 2 and a hint, unless it is loopback or a Unix socket", async () => {
    const root = copyQuickstart();
    for (const listen of ["0.0.0.0:8080", "localhost:8080", "192.168.1.2:80"]) {
      const r = await runRtt(["ui", "--listen", listen], { cwd: root });
      assert.equal(r.code, 2, `${listen}: ${r.stderr}`);
      assert.match(r.stderr, /\(RTT_ERR_USAGE\)\n {2}hint: rtt ui listens on loopback only/);
    }
  });
});
