/**
 * rtt ui's page: the topology drawn by Cytoscape (laid out by its dagre extension), kept live
 * from the server's event stream (`graph`, `health`, `audit`), and trip/heal buttons that POST
 * to the server with this run's secret (the part of the page's address after `#`).
 * `window.rttGraph` exposes what is drawn, for tests and for a look from the console.
 */
import cytoscape from "/lib/cytoscape.mjs";
import dagre from "/lib/cytoscape-dagre.mjs";

cytoscape.use(dagre);

const secret = decodeURIComponent(location.hash.slice(1));
const $ = (id) => document.getElementById(id);

/** What is drawn, and how long drawing took: read by the browser test. */
const state = {
  /** ms from navigation start to the first graph laid out. */
  firstDrawMs: undefined,
  /** ms from the server sending a health sample to its edge redrawn, latest last. */
  redrawMs: [],
  events: 0,
  edges: () =>
    cy.edges().map((e) => ({
      id: e.id(),
      from: e.source().id(),
      to: e.target().id(),
      breaker: e.data("breaker"),
      colour: e.data("colour"),
      drawn: e.style("line-color"),
    })),
  nodes: () => cy.nodes().map((n) => n.id()),
};
window.rttGraph = state;

const cy = cytoscape({
  container: $("graph"),
  // A topology of a few symbols, fitted, would otherwise fill the screen with four boxes.
  maxZoom: 1.5,
  style: [
    {
      selector: "node",
      style: {
        shape: "round-rectangle",
        label: "data(label)",
        "text-wrap": "wrap",
        "text-valign": "center",
        "font-size": 12,
        width: (n) =>
          Math.max(
            ...n
              .data("label")
              .split("\n")
              .map((l) => l.length),
          ) *
            7 +
          24,
        height: 40,
        "background-color": "#eceff1",
        "border-width": 1,
        "border-color": "#90a4ae",
      },
    },
    { selector: "node[!catalogued]", style: { "border-style": "dashed" } },
    {
      selector: "edge",
      style: {
        "curve-style": "bezier",
        width: 3,
        "line-color": "data(colour)",
        "target-arrow-color": "data(colour)",
        "target-arrow-shape": "triangle",
        label: "data(label)",
        "text-wrap": "wrap",
        "font-size": 11,
        "text-background-color": "#fff",
        "text-background-opacity": 0.85,
        "text-background-padding": 2,
      },
    },
    { selector: "edge[?dashed]", style: { "line-style": "dashed" } },
    { selector: "edge:selected", style: { width: 5 } },
  ],
});

const fmt = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
/** The latest sample of each route, kept across topology refreshes. */
const health = new Map();
/** Audit lines by seq: a reconnect sends the tail again. */
const audit = new Map();

/** A route's state in words: its breaker, and whether a stub answers or its source is parked. */
const stateText = (breaker, degraded, held) =>
  degraded ? `${breaker}, degraded` : held ? `${breaker}, held` : breaker;

function edgeLabel(id, breaker, h) {
  const rate = h === undefined ? "" : `\n${fmt(h.throughput, 0)}/s · p99 ${fmt(h.p99_ms, 1)} ms`;
  return `${id}${rate}\n${breaker}`;
}

/** An edge's data from the topology and, when there is one, its latest sample. */
function edgeData(e, colours) {
  const h = health.get(e.id);
  const breaker = h?.breaker ?? e.breaker;
  const degraded = h?.degraded ?? e.degraded;
  const shown = stateText(breaker, degraded, e.held);
  return {
    id: e.id,
    source: e.from,
    target: e.to,
    breaker,
    colour: h?.colour ?? colours[e.id],
    held: e.held,
    state: shown,
    dashed: degraded || e.held,
    label: edgeLabel(e.id, shown, h),
  };
}

function drawGraph(g) {
  const panel = $("panel");
  panel.textContent =
    "pid" in g.panel ? `panel pid ${g.panel.pid}` : `routes.json (${g.panel.down})`;
  panel.classList.toggle("down", !("pid" in g.panel));
  const nodes = g.nodes.map((n) => ({
    group: "nodes",
    data: { id: n.id, label: `${n.name}\n${n.type}`, catalogued: n.catalogued },
  }));
  const edges = g.edges.map((e) => ({ group: "edges", data: edgeData(e, g.colours) }));
  const wanted = new Set([...nodes, ...edges].map((x) => x.data.id));
  const before = cy.elements().map((x) => x.id());
  const changed =
    before.length !== wanted.size ||
    before.some((id) => !wanted.has(id)) ||
    g.edges.some((e) => {
      const drawn = cy.getElementById(e.id);
      return drawn.empty() || drawn.source().id() !== e.from || drawn.target().id() !== e.to;
    });
  if (changed) {
    cy.elements().remove();
    cy.add([...nodes, ...edges]);
    const layout = cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 50, rankSep: 180 });
    layout.one("layoutstop", () => {
      cy.fit(undefined, 40);
      state.firstDrawMs ??= performance.now();
    });
    layout.run();
  } else {
    // Ends stay (else `changed`): only what is drawn of the route changes.
    for (const { data } of edges) {
      const { source, target, ...drawn } = data;
      cy.getElementById(data.id).data(drawn);
    }
  }
  drawRoutes(g);
}

function button(kind, route) {
  const b = document.createElement("button");
  b.textContent = kind === "trip" ? "Trip" : "Heal";
  b.dataset.action = kind;
  b.addEventListener("click", () => breaker(kind, route));
  return b;
}

function drawRoutes(g) {
  const rows = g.edges.map((e) => {
    const tr = document.createElement("tr");
    tr.dataset.route = e.id;
    const cells = ["id", "breaker", "throughput", "p99"].map((name) => {
      const td = document.createElement("td");
      td.className = name === "throughput" || name === "p99" ? `num ${name}` : name;
      return td;
    });
    cells[0].textContent = e.id;
    const actions = document.createElement("td");
    if ("pid" in g.panel) actions.append(button("trip", e.id), " ", button("heal", e.id));
    tr.append(...cells, actions);
    tr.addEventListener("click", () => cy.getElementById(e.id).select());
    return tr;
  });
  $("routes").replaceChildren(...rows);
  for (const e of cy.edges()) drawRow(e);
}

/** A route's row in the table, from its edge's data. */
function drawRow(edge) {
  const tr = document.querySelector(`tr[data-route="${CSS.escape(edge.id())}"]`);
  if (tr === null) return;
  const h = health.get(edge.id());
  tr.dataset.breaker = edge.data("breaker");
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.style.background = edge.data("colour");
  tr.querySelector(".breaker").replaceChildren(swatch, edge.data("state"));
  tr.querySelector(".throughput").textContent = h ? `${fmt(h.throughput, 0)}/s` : "-";
  tr.querySelector(".p99").textContent = h ? `${fmt(h.p99_ms, 1)} ms` : "-";
}

function drawHealth(h) {
  health.set(h.route, h);
  const edge = cy.getElementById(h.route);
  if (edge.empty()) return;
  // A sample does not say whether the route is held: the topology does.
  const held = edge.data("held");
  const shown = stateText(h.breaker, h.degraded, held);
  edge.data({
    breaker: h.breaker,
    colour: h.colour,
    state: shown,
    dashed: h.degraded || held,
    label: edgeLabel(h.route, shown, h),
  });
  drawRow(edge);
  // Drawn once the next frame is painted: the frame after it starts.
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      state.redrawMs = [...state.redrawMs, Date.now() - h.sent].slice(-200);
    }),
  );
}

function drawAudit(a) {
  audit.set(a.seq, a);
  const items = [...audit.values()]
    .sort((x, y) => y.seq - x.seq)
    .slice(0, 30)
    .map((r) => {
      const li = document.createElement("li");
      li.value = r.seq;
      li.textContent = `${r.at.slice(11, 19)} ${r.action} ${r.route} by ${r.who}${r.why ? ` — ${r.why}` : ""}`;
      return li;
    });
  $("audit").replaceChildren(...items);
}

function say(text, error = false) {
  const m = $("message");
  m.textContent = text;
  m.classList.toggle("error", error);
}

async function breaker(kind, route) {
  say(`${kind} ${route}…`);
  const res = await fetch(`/api/${kind}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-rtt-secret": secret },
    body: JSON.stringify({ route, why: `${kind} from rtt ui` }),
  });
  const body = await res.json();
  if (res.ok) say(`route ${body.route}: breaker ${body.state} (${body.reason})`);
  else say(`${kind} ${route}: ${body.error.message} (${body.error.code})`, true);
}

function connect() {
  if (secret === "") {
    say("open the address `rtt ui` printed: the part after # is this run's secret", true);
    return;
  }
  const source = new EventSource(`/events?s=${encodeURIComponent(secret)}`);
  const on = (name, draw) =>
    source.addEventListener(name, (m) => {
      state.events++;
      draw(JSON.parse(m.data));
    });
  on("graph", drawGraph);
  on("health", drawHealth);
  on("audit", drawAudit);
  source.addEventListener("error", () => {
    $("panel").textContent = "rtt ui is not answering; retrying…";
    $("panel").classList.add("down");
  });
}

connect();
