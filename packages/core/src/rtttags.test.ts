import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseRttTags, tagsFor } from "./rtttags.ts";
import { parseConcrete, parseSaddr } from "./saddr.ts";

const FILE = "services/.rtttags";

const SAMPLE = [
  "# owner tags for everything below services/",
  "team = observability",
  "hot",
  "",
  "[rtt://core/api/*]",
  "tier = gold",
  "  owner=alice  ",
  "[ rtt://*/hook/* ]",
  "tier = silver",
  "note = a = b",
].join("\n");

describe("parseRttTags", () => {
  it("parses global lines, sections and bare words", () => {
    const { rules, diagnostics } = parseRttTags(SAMPLE, FILE);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(rules, [
      { tags: { team: "observability", hot: "true" } },
      { selector: parseSaddr("rtt://core/api/*"), tags: { tier: "gold", owner: "alice" } },
      { selector: parseSaddr("rtt://*/hook/*"), tags: { tier: "silver", note: "a = b" } },
    ]);
  });

  it("accepts CRLF line ends and drops sections without tags", () => {
    const { rules, diagnostics } = parseRttTags(
      "[rtt://a/api/x]\r\n[rtt://b/api/y]\r\nk = v\r\n",
      FILE,
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(rules, [{ selector: parseSaddr("rtt://b/api/y"), tags: { k: "v" } }]);
    assert.deepEqual(parseRttTags("", FILE), { rules: [], diagnostics: [] });
  });

  it("reports bad lines with their line and column, and still applies the good ones", () => {
    const text = [
      "team = obs", // 1
      "  Bad Key = 1", // 2
      "[rtt://core/api/x", // 3
      "[rtt://Core/api/x]", // 4
      "[rtt://core/api/*]", // 5
      "= value", // 6
      "tier = gold", // 7
      "  [ rtt://core/apo/*]", // 8
    ].join("\n");
    const { rules, diagnostics } = parseRttTags(text, FILE);
    assert.deepEqual(
      diagnostics.map((d) => [d.line, d.column, d.code, d.file]),
      [
        [2, 3, "RTT_ERR_TAGS_SYNTAX", FILE],
        [3, 18, "RTT_ERR_TAGS_SYNTAX", FILE],
        [4, 8, "RTT_ERR_TAGS_SYNTAX", FILE],
        [6, 1, "RTT_ERR_TAGS_SYNTAX", FILE],
        [8, 16, "RTT_ERR_TAGS_SYNTAX", FILE],
      ],
    );
    assert.equal(
      diagnostics[0]?.message,
      `expected a tag name (a-z, 0-9, '.', '_', ':', '-'), found "Bad Key"`,
    );
    assert.equal(
      diagnostics[0]?.hint,
      "a line is `key = value`, a bare `key`, or a `[pattern]` section",
    );
    assert.equal(diagnostics[1]?.message, "expected ']' closing the section");
    assert.equal(diagnostics[2]?.hint, "addresses are lowercase");
    assert.equal(diagnostics[4]?.hint, 'did you mean "api"?');
    assert.deepEqual(rules, [
      { tags: { team: "obs" } },
      { selector: parseSaddr("rtt://core/api/*"), tags: { tier: "gold" } },
    ]);
  });

  it("reports a tag set twice in one section and keeps the first; another section may set it again", () => {
    const text = "team = a\nteam = b\n[rtt://x/*/*]\nteam = c\n";
    const { rules, diagnostics } = parseRttTags(text, ".rtttags");
    assert.deepEqual(
      diagnostics.map((d) => [d.line, d.code, d.message]),
      [[2, "RTT_ERR_TAGS_SYNTAX", 'tag "team" is set twice in this section']],
    );
    assert.deepEqual(
      rules.map((r) => r.tags),
      [{ team: "a" }, { team: "c" }],
    );
  });

  it("applies the lines under a bad section header to no symbol", () => {
    // They must not fall into the section before, nor (at the top) apply to every symbol.
    const text = [
      "[rtt://core/api/*]",
      "tier = gold",
      "[rtt://Bad/api/x]",
      "secret = yes",
      "[rtt://core/api/y",
      "also = no",
      "[rtt://*/api/*]",
      "zone = eu",
    ].join("\n");
    const { rules, diagnostics } = parseRttTags(text, FILE);
    assert.equal(diagnostics.length, 2);
    assert.deepEqual(rules, [
      { selector: parseSaddr("rtt://core/api/*"), tags: { tier: "gold" } },
      { selector: parseSaddr("rtt://*/api/*"), tags: { zone: "eu" } },
    ]);
    const top = parseRttTags("[rtt://x/API/y]\nsecret = yes\n", FILE);
    assert.equal(top.diagnostics.length, 1);
    assert.deepEqual(top.rules, []);
    // Bad keys under a bad section are still reported.
    assert.equal(parseRttTags("[rtt://x/API/y]\nBAD\n", FILE).diagnostics.length, 2);
  });

  it("property: any text never throws; every diagnostic names a real line", () => {
    const textArb = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc
        .array(
          fc.oneof(
            fc.string(),
            fc.string().map((s) => `[${s}]`),
            fc.string().map((s) => `[rtt://${s}`),
            fc.constantFrom("[rtt://core/api/*]", "k = v", "bare", "# c", ""),
          ),
          { maxLength: 8 },
        )
        .map((lines) => lines.join("\n")),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const { rules, diagnostics } = parseRttTags(text, FILE);
        const lineCount = text.split(/\r?\n/).length;
        for (const d of diagnostics) {
          assert.equal(d.code, "RTT_ERR_TAGS_SYNTAX");
          assert.equal(d.file, FILE);
          assert.ok(d.line >= 1 && d.line <= lineCount, `line ${d.line} of ${lineCount}`);
          assert.ok(d.column >= 1);
        }
        for (const r of rules) assert.ok(Object.keys(r.tags).length > 0);
      }),
    );
  });

  it("property: junk lines are reported one by one and change no rule", () => {
    const key = fc.stringMatching(/^[a-z0-9][a-z0-9._:-]{0,8}$/);
    const value = fc.stringMatching(/^[a-zA-Z0-9 ._-]{0,10}$/);
    // Each key once: a key set twice in a section is itself reported.
    const good = fc.uniqueArray(fc.tuple(key, value), { maxLength: 6, selector: ([k]) => k });
    // Junk: starts with a character no tag name, comment or section can start with.
    const junk = fc.stringMatching(/^[!A-Z$%][^\n\r]{0,10}$/);
    fc.assert(
      fc.property(good, fc.array(fc.tuple(fc.nat(), junk), { maxLength: 4 }), (pairs, junks) => {
        const lines = pairs.map(([k, v]) => `${k} = ${v}`);
        const clean = parseRttTags(lines.join("\n"), FILE);
        assert.deepEqual(clean.diagnostics, []);
        const dirty = [...lines];
        for (const [at, j] of junks) dirty.splice(at % (dirty.length + 1), 0, j);
        const junkLines = dirty.flatMap((l, i) => (lines.includes(l) ? [] : [i + 1]));
        const parsed = parseRttTags(dirty.join("\n"), FILE);
        assert.deepEqual(parsed.rules, clean.rules);
        assert.deepEqual(
          parsed.diagnostics.map((d) => [d.line, d.column]),
          junkLines.map((line) => [line, 1]),
        );
      }),
    );
  });
});

describe("tagsFor", () => {
  const { rules } = parseRttTags(SAMPLE, FILE);

  it("gives each address the global tags plus those of the sections it matches", () => {
    assert.deepEqual(tagsFor(rules, parseConcrete("rtt://core/api/metrics@1.0.0")), {
      team: "observability",
      hot: "true",
      tier: "gold",
      owner: "alice",
    });
    assert.deepEqual(tagsFor(rules, parseConcrete("rtt://ui/hook/refresh@0.1.0")), {
      team: "observability",
      hot: "true",
      tier: "silver",
      note: "a = b",
    });
    assert.deepEqual(tagsFor(rules, parseConcrete("rtt://ui/api/refresh@0.1.0")), {
      team: "observability",
      hot: "true",
    });
    assert.deepEqual(tagsFor([], parseConcrete("rtt://ui/api/refresh@0.1.0")), {});
  });

  it("lets later rules (a deeper sidecar) win key by key", () => {
    const outer = parseRttTags("team = a\ntier = bronze\n", "a/.rtttags").rules;
    const inner = parseRttTags("[rtt://core/*/*@^1]\ntier = gold\n", "a/b/.rtttags").rules;
    const target = parseConcrete("rtt://core/api/x@1.2.0");
    assert.deepEqual(tagsFor([...outer, ...inner], target), { team: "a", tier: "gold" });
    assert.deepEqual(tagsFor([...outer, ...inner], parseConcrete("rtt://core/api/x@2.0.0")), {
      team: "a",
      tier: "bronze",
    });
  });
});
