import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Diagnostic } from "./errors.ts";
import { describeDiagnostics } from "./testing/printed-documents.ts";
import { sampleManifestText } from "./testing/sample-manifest.ts";
import { type DocumentKind, validateDocument } from "./validate.ts";

function diagnosticsOf(kind: DocumentKind, text: string, file = "f.json"): readonly Diagnostic[] {
  const r = validateDocument(kind, text, file);
  assert.equal(r.ok, false, "expected the document to be refused");
  return r.ok ? [] : r.diagnostics;
}

function only(ds: readonly Diagnostic[]): Diagnostic {
  assert.equal(ds.length, 1, describeDiagnostics(ds));
  return ds[0] as Diagnostic;
}

const SPEC_MANIFEST = `{
  "$schema":"https://rtt/spec/v1",
  "symbol":{
    "saddr":"rtt://core/api/metrics@1.0.0",
    "type":"api",
    "direction":"provider",
    "capabilities":["pull","stream"],
    "inputs":[{"name":"query","schema":"json://metrics.query"}],
    "outputs":[{"name":"series","schema":"json://metrics.series"}],
    "qos":{"latency_budget_ms":2,"throughput_qps":5000}
  }
}`;

const SPEC_ROUTES = `{
  "routes":[
    {"from":"rtt://ui/hook/refresh","to":"rtt://core/api/metrics"},
    {"from":"rtt://core/bus/events","to":"rtt://obs/extension/logger#ndjson"}
  ]
}`;

const SPEC_PANEL = `api:
  listen: "unix:///abs/path/.rtt/sockets/panel.sock"
scan:
  roots: ["./", "./services", "./packages"]
  ignore: [".git", "node_modules", "target", "venv", "dist"]
routing:
  prefer: ["shm","uds","tcp"]
  rewire_atomic: true
security:
  strict_manifests: true
  allow_unsigned: ["rtt://dev/*/*"]
health:
  heartbeat_ms: 250
  trip_threshold: {errors: 5, window_ms: 5000}
`;

/**
 * A policy using every section, with real addresses for A, B, C and a real symbol type for
 * `stream` (see below).
 */
const SPEC_POLICY = `{
  "allow": [{"from":"rtt://*/api/*","to":"rtt://*/api/*","scopes":["*"]}],
  "pin": [{"route":"rtt://core/api/auth -> rtt://idp/api/auth@2"}],
  "qos": [{"match":"rtt://*/bus/*","latency_ms":1,"prio":0}],
  "failover": [{"route":"rtt://core/bus/events -> [rtt://a/bus/events, rtt://b/bus/events@2, rtt://c/bus/events@2.1.0]","health":"p95<5ms,err<0.1%"}]
}`;

describe("validateDocument: full example documents", () => {
  it("a manifest", () => {
    const r = validateDocument("manifest", SPEC_MANIFEST, "manifests/metrics.api.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.symbol.saddr, "rtt://core/api/metrics@1.0.0");
    assert.deepEqual(r.value.symbol.qos, { latency_budget_ms: 2, throughput_qps: 5000 });
  });

  it("a routes.json", () => {
    const r = validateDocument("routes", SPEC_ROUTES, "routes.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.routes.length, 2);
    assert.equal(r.value.routes[1]?.to, "rtt://obs/extension/logger#ndjson");
  });

  it("a panel.yaml", () => {
    const r = validateDocument("panel-config", SPEC_PANEL, "panel.yaml");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.deepEqual(r.value.health, {
      heartbeat_ms: 250,
      trip_threshold: { errors: 5, window_ms: 5000 },
    });
    assert.deepEqual(r.value.routing?.prefer, ["shm", "uds", "tcp"]);
  });

  it("a policy.json", () => {
    const r = validateDocument("policy", SPEC_POLICY, "policy.json");
    assert.ok(r.ok, r.ok ? "" : describeDiagnostics(r.diagnostics));
    assert.equal(r.value.failover?.[0]?.health, "p95<5ms,err<0.1%");
  });

  it("a policy naming `stream` as a symbol type (it is an io mode): refused", () => {
    const verbatim = SPEC_POLICY.replace("rtt://*/bus/*", "rtt://*/stream/*");
    const d = only(diagnosticsOf("policy", verbatim, "policy.json"));
    assert.deepEqual([d.line, d.column], [4, 29]);
    assert.match(d.message, /expected a symbol type .* found "stream"/);
  });
});

describe("validateDocument: syntax errors", () => {
  it("reports malformed JSON as RTT_ERR_DOC_SYNTAX at its line:col", () => {
    const text = '{\n  "routes": [\n    {"from": "rtt://a/api/x" "to": "rtt://b/api/x"}\n  ]\n}';
    const d = only(diagnosticsOf("routes", text, "routes.json"));
    assert.deepEqual(d, {
      severity: "error",
      code: "RTT_ERR_DOC_SYNTAX",
      message: "not valid JSON: expected ',' or a closing bracket",
      file: "routes.json",
      line: 3,
      column: 30,
    });
    const trailing = only(diagnosticsOf("routes", '{"routes": [],\n}'));
    assert.deepEqual([trailing.code, trailing.line, trailing.column], ["RTT_ERR_DOC_SYNTAX", 2, 1]);
    const comment = only(diagnosticsOf("routes", '{"routes": []} // no'));
    assert.deepEqual([comment.code, comment.line, comment.column], ["RTT_ERR_DOC_SYNTAX", 1, 16]);
    const empty = only(diagnosticsOf("manifest", ""));
    assert.deepEqual([empty.code, empty.line, empty.column], ["RTT_ERR_DOC_SYNTAX", 1, 1]);
  });

  it("refuses duplicate keys, pointing at the second one", () => {
    const text = '{\n  "routes": [],\n  "routes": []\n}';
    const d = only(diagnosticsOf("routes", text));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(d.message, 'duplicate key "routes"');
    assert.deepEqual([d.line, d.column], [3, 3]);
    assert.equal(d.hint, "JSON readers disagree on which copy wins; keep one");
    const yaml = only(diagnosticsOf("panel-config", "scan:\n  roots: [a]\n  roots: [b]\n"));
    assert.equal(yaml.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(yaml.line, 3);
  });

  it("reports YAML errors with line:col", () => {
    const d = only(diagnosticsOf("panel-config", "api:\n  listen: [\n", "panel.yaml"));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(d.file, "panel.yaml");
    assert.match(d.message, /^not valid YAML: /);
    assert.deepEqual([d.line, d.column], [3, 1]);
    const tab = only(diagnosticsOf("panel-config", "scan:\n  roots: [a]\n   bad: : x\n"));
    assert.equal(tab.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(tab.line, 3);
  });

  it("reports an alias to an unknown anchor, and an alias bomb, as syntax errors", () => {
    const d = only(diagnosticsOf("panel-config", "scan:\n  roots: [a, *nowhere]\n", "panel.yaml"));
    assert.equal(d.code, "RTT_ERR_DOC_SYNTAX");
    assert.equal(
      d.message,
      "not valid YAML: Unresolved alias (the anchor must be set before the alias): nowhere",
    );
    assert.deepEqual([d.line, d.column], [2, 14]);
    const lol = '["lol","lol","lol","lol","lol","lol","lol","lol","lol"]';
    const bomb = [
      `a: &a ${lol}`,
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    ].join("\n");
    const b = only(diagnosticsOf("panel-config", bomb, "panel.yaml"));
    assert.equal(b.code, "RTT_ERR_DOC_SYNTAX");
    assert.match(b.message, /resource exhaustion/);
  });

  it("reports schema errors in YAML with line:col", () => {
    const ds = diagnosticsOf("panel-config", "api:\n  listen: 3\nscan:\n  roots: []\n  foo: 1\n");
    assert.deepEqual(
      ds.map((d) => [d.line, d.column, d.message]),
      [
        [2, 11, "expected string, found number 3"],
        [5, 3, 'unknown field "foo"'],
        [4, 10, "scan.roots: expected at least 1 item, found 0 items"],
      ],
    );
    assert.equal(
      ds[1]?.hint,
      "known fields: roots, ignore, follow_symlinks, max_manifest_bytes, watch",
    );
  });

  it("says every schema bound like the rest: field (in panel.yaml), expected, found", () => {
    const yaml = (text: string) =>
      diagnosticsOf("panel-config", text).map((d) => [d.line, d.column, d.message]);
    assert.deepEqual(yaml("health:\n  heartbeat_ms: 5\n"), [
      [2, 17, "health.heartbeat_ms: expected an integer >= 10, found number 5"],
    ]);
    assert.deepEqual(yaml("api:\n  max_streams: 70000\n"), [
      [2, 16, "api.max_streams: expected an integer <= 65536, found number 70000"],
    ]);
    const manifest = (extra: string) =>
      diagnosticsOf(
        "manifest",
        `{"$schema":"https://rtt/spec/v1","symbol":{"saddr":"rtt://a/api/x@1.0.0","type":"api","direction":"provider",${extra}}}`,
      ).map((d) => d.message);
    assert.deepEqual(manifest('"x-drain-ms": -1'), ["expected an integer >= 0, found number -1"]);
    assert.deepEqual(manifest('"inputs": [{"name": "a", "schema": ""}]'), [
      "expected at least 1 character, found 0 characters",
    ]);
  });

  it("refuses an api.listen that is not a unix:/// path, naming the field (tcp:// included)", () => {
    for (const listen of ["tcp://127.0.0.1:7000", "unix://relative.sock", "unix:///"]) {
      const d = only(diagnosticsOf("panel-config", `api:\n  listen: "${listen}"\n`));
      assert.equal(d.code, "RTT_ERR_DOC_SCHEMA");
      assert.match(d.message, /^api\.listen: expected text matching/);
      assert.deepEqual([d.line, d.column], [2, 11]);
    }
  });

  it("security.allow_uids is a list of distinct uids", () => {
    const ok = validateDocument("panel-config", "security:\n  allow_uids: [1000, 65534]\n", "p");
    assert.deepEqual(ok.ok ? ok.value.security?.allow_uids : ok.diagnostics, [1000, 65534]);
    for (const bad of ["[-1]", "[1.5]", "[7, 7]", '["1000"]'])
      assert.equal(
        only(diagnosticsOf("panel-config", `security:\n  allow_uids: ${bad}\n`)).code,
        "RTT_ERR_DOC_SCHEMA",
      );
  });
});

describe("validateDocument: schema and semantic errors", () => {
  const manifest = sampleManifestText;

  it("hints at the nearest known key for a typo", () => {
    const d = only(diagnosticsOf("manifest", manifest({ direcion: "provider" })));
    assert.equal(d.message, 'unknown field "direcion"');
    assert.equal(d.hint, 'did you mean "direction"?');
    assert.deepEqual([d.line, d.column], [6, 5]);
    const policy = only(diagnosticsOf("policy", '{"alow": []}'));
    assert.equal(policy.hint, 'did you mean "allow"?');
    assert.deepEqual([policy.line, policy.column], [1, 2]);
  });

  it("hints at the nearest enum value", () => {
    const d = only(diagnosticsOf("manifest", manifest({ direction: "provder" })));
    assert.equal(d.message, 'expected one of provider, consumer, both; found the string "provder"');
    assert.equal(d.hint, 'did you mean "provider"?');
  });

  it("refuses a type field that disagrees with the address's type segment", () => {
    const d = only(diagnosticsOf("manifest", manifest({ type: "hook" })));
    assert.equal(d.message, 'type "hook" disagrees with the address\'s type "api"');
    assert.equal(d.hint, "the type segment of saddr and the type field must be the same");
    assert.deepEqual([d.line, d.column], [4, 13]);
  });

  it("refuses an x-run that is not an argv of strings, at the bad value", () => {
    const cases: [unknown, string][] = [
      ["python3 emit.py", "x-run is not an array of strings"],
      [[], "x-run is empty: it needs a command"],
      [["python3", 2], "x-run[1] is not a string"],
      [[""], "x-run's command is empty"],
    ];
    for (const [run, message] of cases) {
      const d = only(diagnosticsOf("manifest", manifest({ "x-run": run })));
      assert.equal(d.message, message, JSON.stringify(run));
      assert.equal(d.code, "RTT_ERR_DOC_SCHEMA");
    }
    const ok = validateDocument("manifest", manifest({ "x-run": ["node", "x.mjs", ""] }), "m.json");
    assert.equal(ok.ok, true);
  });

  it("refuses a second pin for a source another pin already pins (the first one wins)", () => {
    const policy = JSON.stringify({
      pin: [
        { route: "rtt://ui/hook/refresh -> rtt://core/api/metrics@1.0.0" },
        { route: "rtt://ui/hook/refresh  ->  rtt://core/api/metrics@2.0.0" },
      ],
    });
    const d = only(diagnosticsOf("policy", policy));
    assert.match(d.message, /^pin\[1\] pins rtt:\/\/ui\/hook\/refresh again: pin\[0\] does/);
    const two = JSON.stringify({
      pin: [
        { route: "rtt://ui/hook/refresh -> rtt://core/api/metrics@1.0.0" },
        { route: "rtt://ui/hook/other -> rtt://core/api/metrics@1.0.0" },
      ],
    });
    assert.equal(validateDocument("policy", two, "p.json").ok, true);
  });

  it("names a number too large to hold as such, not as null", () => {
    const d = only(diagnosticsOf("routes", '{"routes": 1e999}'));
    assert.equal(d.message, "expected array, found a number too large to hold");
  });

  it("refuses a route id too long to name its journal's folder", () => {
    const id = "r".repeat(101);
    const routes = JSON.stringify({
      routes: [{ id, from: "rtt://a/bus/x", to: "rtt://b/extension/y" }],
    });
    const d = only(diagnosticsOf("routes", routes));
    assert.equal(d.message, "route id is 101 characters long: at most 100");
  });

  it("refuses a manifest saddr carrying ?caps= or ?io=", () => {
    for (const q of ["?caps=pull", "?io=req"]) {
      const d = only(
        diagnosticsOf("manifest", manifest({ saddr: `rtt://core/api/metrics@1.0.0${q}` })),
      );
      assert.equal(d.message, "a manifest's saddr carries no ?caps= or ?io= query");
      assert.equal(d.hint, "declare them in the capabilities and io fields");
      assert.deepEqual([d.line, d.column], [3, 14]);
    }
  });

  it("refuses a manifest saddr that is not concrete, pointing inside the string", () => {
    const d = only(diagnosticsOf("manifest", manifest({ saddr: "rtt://core/api/metrics@^1" })));
    assert.equal(
      d.message,
      '"rtt://core/api/metrics@^1" is a reference address; expected a concrete address',
    );
    assert.deepEqual([d.line, d.column], [3, 15]);
  });

  it("refuses routes with duplicate ids, pointing at the repeat", () => {
    const text = JSON.stringify(
      {
        routes: [
          { id: "a", from: "rtt://x/api/a", to: "rtt://y/api/a" },
          { id: "b", from: "rtt://x/api/b", to: "rtt://y/api/b" },
          { id: "a", from: "rtt://x/api/c", to: ["rtt://y/api/c", "rtt://z/api/c"] },
        ],
      },
      null,
      2,
    );
    const d = only(diagnosticsOf("routes", text));
    assert.equal(d.message, 'route id "a" is already used by route 0');
    assert.deepEqual([d.line, d.column], [14, 13]);
  });

  it("explains a route end of the wrong type or form", () => {
    const wrong = only(diagnosticsOf("routes", '{"routes": [{"from": "rtt://a/api/x", "to": 3}]}'));
    assert.equal(wrong.message, "expected string or array, found number 3");
    assert.deepEqual([wrong.line, wrong.column], [1, 45]);
    const pattern = only(
      diagnosticsOf(
        "routes",
        '{"routes": [{"from": "rtt://a/api/x", "to": ["rtt://b/api/x", "rtt://*/api/x"]}]}',
      ),
    );
    assert.match(
      pattern.message,
      /is a pattern address; expected a reference address or a concrete address/,
    );
    assert.deepEqual([pattern.line, pattern.column], [1, 70]);
  });

  it("points a duplicate list item at the repeat, whatever the item schema", () => {
    const caps = only(
      diagnosticsOf("manifest", manifest({ capabilities: ["pull", "push", "pull"] })),
    );
    assert.equal(caps.message, "duplicate of item 0; items must be unique");
    assert.deepEqual([caps.line, caps.column], [9, 7]);
    const prefer = only(diagnosticsOf("panel-config", "routing:\n  prefer: [shm, uds, shm]\n"));
    assert.equal(prefer.message, "duplicate of item 0; items must be unique");
    assert.deepEqual([prefer.line, prefer.column], [2, 22]);
  });

  it("refuses an allow_unsigned entry that is not a SADDR pattern, naming the field", () => {
    const text =
      'security:\n  strict_manifests: true\n  allow_unsigned: ["rtt://dev/*/*", "dev/*"]\n';
    const d = only(diagnosticsOf("panel-config", text, ".rtt/panel.yaml"));
    assert.equal(d.file, ".rtt/panel.yaml");
    assert.equal(d.line, 3);
    assert.match(d.message, /^security\.allow_unsigned\[1\]: bad address "dev\/\*"/);
  });

  it("locates errors inside route and health expressions of a policy", () => {
    const text = JSON.stringify(
      {
        pin: [{ route: "rtt://a/api/x -> rtt://b/api/X@2" }],
        failover: [{ route: "rtt://a/api/x -> [rtt://b/api/x]", health: "p95<5xs" }],
      },
      null,
      2,
    );
    const ds = diagnosticsOf("policy", text);
    assert.deepEqual(
      ds.map((d) => [d.line, d.column, d.hint]),
      [
        [4, 46, "addresses are lowercase"],
        [10, 18, "e.g. p95<5ms,err<0.1%"],
      ],
    );
  });
});
