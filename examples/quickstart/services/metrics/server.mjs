// The quickstart's metrics API: Prometheus text on GET /metrics and JSON series on
// GET /series?name=<metric>, on loopback only. Start: node server.mjs [port]  (0 = any free port)
// When RTT_HTTP_LISTEN is set (the http driver sets it when it runs this program), it listens
// on that Unix socket path instead of a port.
import { rmSync } from "node:fs";
import { createServer } from "node:http";

const started = Date.now();
let requests = 0;

function series() {
  const uptime = (Date.now() - started) / 1000;
  const rss = process.memoryUsage().rss;
  return { uptime_seconds: uptime, process_rss_bytes: rss, http_requests_total: requests };
}

const server = createServer((req, res) => {
  requests++;
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (req.method === "GET" && url.pathname === "/metrics") {
    const body = Object.entries(series())
      .map(([name, value]) => `# TYPE ${name} gauge\n${name} ${value}`)
      .join("\n");
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${body}\n`);
    return;
  }
  if (req.method === "GET" && url.pathname === "/series") {
    const name = url.searchParams.get("name");
    const all = series();
    if (name !== null && !(name in all)) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: `no series ${name}` }));
      return;
    }
    const picked = name === null ? all : { [name]: all[name] };
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ at: Date.now(), series: picked }));
    return;
  }
  res
    .writeHead(404, { "content-type": "application/json" })
    .end(JSON.stringify({ error: "not found" }));
});

const socketPath = process.env.RTT_HTTP_LISTEN;
if (socketPath) {
  // A socket file left by an earlier run that was killed would make listen fail with EADDRINUSE.
  rmSync(socketPath, { force: true });
  server.listen(socketPath, () => {
    process.stdout.write(`metrics listening on unix:${socketPath}\n`);
  });
} else {
  const port = Number(process.argv[2] ?? process.env.METRICS_PORT ?? 9464);
  server.listen(port, "127.0.0.1", () => {
    const address = server.address();
    process.stdout.write(`metrics listening on http://127.0.0.1:${address.port}\n`);
  });
}
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => server.close(() => process.exit(0)));
