// The quickstart's UI refresh hook: asks the metrics API for its series and prints them.
// Start: node refresh.mjs [base-url]   (default: http://127.0.0.1:9464)
const base = process.argv[2] ?? process.env.METRICS_URL ?? "http://127.0.0.1:9464";
const response = await fetch(new URL("/series", base));
if (!response.ok) {
  process.stderr.write(`refresh: ${response.status} from ${base}\n`);
  process.exit(1);
}
const { series } = await response.json();
for (const [name, value] of Object.entries(series)) process.stdout.write(`${name} ${value}\n`);
