/**
 * Issue 14's vendored-manifest attack on a copy of the quickstart, with the real binary: strict
 * mode on, a manifest deep under vendor/ declares a second `rtt://obs/extension/logger`
 * (@1.9.9, same variant) whose x-run would leave a marker file. Unsigned, or signed by a key
 * outside .rtt/trust/, it is eliminated (named in `rtt plan`, nothing of it runs, the real
 * logger gets the events); signed by a trusted key it is a legitimate candidate, tied with the
 * real logger, so the route end is ambiguous: a plan error naming both manifests (ADR 0017).
 *
 * The signed cases need the scanner to fill each symbol's `signer` (the `rtt sign` work); until
 * that lands, a signed manifest reads as unsigned and only their trust-reason assertions fail.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { eventually } from "@rtt/core/testing";
import { generateSigningKey, type SigningKey, signManifest } from "@rtt/panel";
import { EVENTS_ROUTE, quickstartSuite, type Workspace } from "../support/quickstart-workspace.ts";
import { parseJson, readNdjson } from "./helpers.ts";

const { use } = quickstartSuite();

const VENDORED = "vendor/github.com/someone/lib/test/fixtures/deep/rtt.manifest.json";
const IMPOSTOR = "rtt://obs/extension/logger@1.9.9#ndjson";
const LOGGER = "rtt://obs/extension/logger@1.0.0#ndjson";
const QUICKSTART_MANIFESTS = [
  "ui/rtt.manifest.json",
  "services/metrics/rtt.manifest.json",
  "services/events/rtt.manifest.json",
  "services/logger/rtt.manifest.json",
];

interface PlanJson {
  readonly routes: readonly {
    readonly id: string;
    readonly to?: string;
    readonly problem?: string;
    readonly candidates: readonly {
      readonly saddr: string;
      readonly manifest: string;
      readonly verdict: string;
      readonly step: string;
      readonly reason: string;
    }[];
  }[];
}

/** Strict mode with the given allow_unsigned patterns. */
function strict(w: Workspace, allowUnsigned: readonly string[]): void {
  w.editText(".rtt/panel.yaml", (yaml) =>
    yaml
      .replace("strict_manifests: false", "strict_manifests: true")
      .replace(/allow_unsigned: \[[^\]]*\]/, `allow_unsigned: ${JSON.stringify(allowUnsigned)}`),
  );
}

function sign(w: Workspace, rel: string, key: SigningKey): void {
  const manifest = JSON.parse(w.read(rel)) as Parameters<typeof signManifest>[0];
  writeFileSync(w.path(rel), `${JSON.stringify(signManifest(manifest, key), null, 2)}\n`);
}

/** The impostor's manifest: the logger's contract, an x-run that leaves `marker`. */
function plantImpostor(w: Workspace, marker: string): void {
  const logger = JSON.parse(w.read("services/logger/rtt.manifest.json")) as {
    symbol: Record<string, unknown>;
  };
  const symbol = {
    ...logger.symbol,
    saddr: IMPOSTOR,
    "x-run": ["sh", "-c", `touch ${marker}; cat >/dev/null`],
  };
  w.write(VENDORED, `${JSON.stringify({ ...logger, symbol }, null, 2)}\n`);
}

async function planJson(w: Workspace): Promise<{ code: number; plan: PlanJson }> {
  const r = await w.rtt(["plan", "--json"]);
  return { code: r.code ?? -1, plan: parseJson(r.stdout) as PlanJson };
}

function eventsRoute(plan: PlanJson) {
  const route = plan.routes.find((r) => r.id === EVENTS_ROUTE);
  assert.ok(route, JSON.stringify(plan.routes));
  return route;
}

function impostorOf(plan: PlanJson) {
  const c = eventsRoute(plan).candidates.find((x) => x.saddr === IMPOSTOR);
  assert.ok(c, JSON.stringify(eventsRoute(plan).candidates));
  return c;
}

describe("a vendored manifest impersonating the logger, strict mode on", () => {
  it("unsigned: eliminated and named by rtt plan; nothing of it runs; the real logger gets the events", async () => {
    const w = use();
    const marker = join(w.root, "pwned");
    // The quickstart's own symbols pass through allow_unsigned (exact addresses), so this case
    // stands on the router alone; the logger's pattern does not cover @1.9.9.
    strict(w, ["rtt://ui/*/*", "rtt://core/*/*", "rtt://obs/extension/logger@1.0.0"]);
    plantImpostor(w, marker);
    await w.ok(["scan"]);

    const { code, plan } = await planJson(w);
    assert.equal(code, 0, JSON.stringify(plan.routes));
    const c = impostorOf(plan);
    assert.deepEqual([c.verdict, c.step, c.manifest], ["eliminated", "trust", VENDORED]);
    assert.match(c.reason, new RegExp(`unsigned manifest ${VENDORED.replaceAll(".", "\\.")}`));
    assert.equal(eventsRoute(plan).to, LOGGER);
    const human = await w.ok(["plan"]);
    assert.ok(
      human.stdout.includes(`candidate ${IMPOSTOR} (${VENDORED}) eliminated at trust`),
      human.stdout,
    );

    await w.ok(["apply", "--auto-approve"]);
    const log = w.path("logs", "events.ndjson");
    await eventually(
      () => existsSync(log) && readNdjson(log).length > 0,
      w.wait("events at the real logger"),
    );
    assert.equal((await w.wiredRoute(EVENTS_ROUTE))?.to, LOGGER);
    assert.equal(existsSync(marker), false, "the impostor's x-run never ran");
    assert.ok(!readFileSync(w.path(".rtt", "panel.log"), "utf8").includes("pwned"));
  });

  it("signed by a key outside .rtt/trust/: eliminated; signed by a trusted key: tied, a plan error", async () => {
    const w = use();
    const marker = join(w.root, "pwned");
    const owner = generateSigningKey(w.path(".rtt"), "owner");
    for (const rel of QUICKSTART_MANIFESTS) sign(w, rel, owner);
    strict(w, []);
    plantImpostor(w, marker);
    const stranger = generateSigningKey(mkdtempSync(join(tmpdir(), "rtt-stranger-")), "stranger");
    sign(w, VENDORED, stranger);
    await w.ok(["scan"]);

    // Depends on the scanner filling `signer` (see the module doc).
    const unknown = await planJson(w);
    assert.equal(unknown.code, 0, JSON.stringify(unknown.plan.routes));
    const c = impostorOf(unknown.plan);
    assert.deepEqual([c.verdict, c.step], ["eliminated", "trust"]);
    assert.match(c.reason, new RegExp(`signed by untrusted key ${stranger.keyId}`));
    assert.equal(eventsRoute(unknown.plan).to, LOGGER);

    sign(w, VENDORED, owner);
    await w.ok(["scan"]);
    const trusted = await planJson(w);
    assert.equal(trusted.code, 1, "an ambiguous route end refuses the plan");
    const route = eventsRoute(trusted.plan);
    assert.deepEqual(
      route.candidates.map((x) => [x.saddr, x.verdict]),
      [
        [LOGGER, "tied"],
        [IMPOSTOR, "tied"],
      ],
    );
    assert.match(route.problem ?? "", /ambiguous/);
    assert.ok(route.problem?.includes(`${IMPOSTOR} from ${VENDORED}`), route.problem);
    assert.ok(route.problem?.includes("services/logger/rtt.manifest.json"), route.problem);
    assert.equal(existsSync(marker), false);
  });
});
