import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { RttError } from "@rtt/core/errors.ts";
import fc from "fast-check";
import { parse } from "yaml";
import { initWorkspace } from "./init.ts";
import { mayConfigureApi, panelListen } from "./panel-listen.ts";
import { defaultListen } from "./panel-socket.ts";
import { loadPanelConfig } from "./workspace.ts";
import { workspacePaths } from "./workspace-paths.ts";

const base = mkdtempSync(join(tmpdir(), "rtt-plisten-"));
after(() => rmSync(base, { recursive: true, force: true }));

/** Whether the YAML library gives `text`'s root an `api` key (undefined: not YAML at all). */
function parsedHasApi(text: string): boolean | undefined {
  let value: unknown;
  try {
    value = parse(text, { merge: true, uniqueKeys: false });
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && Object.hasOwn(value, "api");
}

/**
 * panel.yaml-like text: mostly plain keys (so that most texts are YAML), with the tricky
 * spellings of a key, values that span lines, and lines that are no key at all among them.
 */
const word = fc.constantFrom("api", "api", "scan", "health", "apix", "listen");
const key = fc.oneof(
  { arbitrary: word, weight: 6 },
  word.map((w) => `"${w}"`),
  word.map((w) => `'${w}'`),
  word.map((w) => `"\\x${w.charCodeAt(0).toString(16)}${w.slice(1)}"`),
  word.map((w) => `&anchor ${w}`),
  word.map((w) => `!!str ${w}`),
  word.map((w) => `? ${w}\n`),
  word.map((w) => `${w} `),
  fc.constant("<<"),
);
const value = fc.oneof(
  { arbitrary: fc.constantFrom("", " 1", " { listen: x }"), weight: 6 },
  fc.constantFrom(
    " [a,\n  b]",
    " *anchor",
    " {api: 1}",
    " |\n  api: 2",
    ' "x\napi: y"',
    " # api:",
    " &anchor { listen: x }",
  ),
);
const line = fc.oneof(
  { arbitrary: fc.tuple(key, value).map(([k, v]) => `${k}:${v}`), weight: 6 },
  fc.tuple(fc.constantFrom(" ", "  ", "\t"), key, value).map(([i, k, v]) => `${i}${k}:${v}`),
  fc.constantFrom("# api:", "", "---", "...", "%YAML 1.2", "- api: 1", "{api: 1}", "api"),
);
const yamlish = fc
  .tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom("\n", "\n", "\r\n", "\r"))
  .map(([lines, eol]) => lines.join(eol));

describe("where a client finds the panel", () => {
  test("never says 'no api' of a text whose root has an api key", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        if (!mayConfigureApi(text)) assert.notEqual(parsedHasApi(text), true, text);
      }),
      { numRuns: 3000 },
    );
  });

  test("a lone CR, which YAML 1.2 breaks a line at and the parser does not: the parser decides", () => {
    // Found by the property above: the parser reads this comment to the LF, then `api: 2`.
    const text = "# api:\rlisten: |\n  api: 2";
    assert.equal(parsedHasApi(text), true);
    assert.equal(mayConfigureApi(text), true);
    assert.equal(mayConfigureApi("scan: {}\r\nhealth: {}\r\n"), false, "CR LF is a line end");
  });

  test("rtt init's panel.yaml and the quickstart's are read without a YAML parser", () => {
    const ws = join(base, "init");
    mkdirSync(ws);
    initWorkspace(ws);
    const quickstart = new URL("../../../../examples/quickstart/.rtt/panel.yaml", import.meta.url);
    for (const text of [
      readFileSync(join(ws, ".rtt", "panel.yaml"), "utf8"),
      readFileSync(quickstart, "utf8"),
    ]) {
      assert.equal(mayConfigureApi(text), false, text);
      assert.equal(parsedHasApi(text), false);
    }
  });

  test("a file that sets api (or may) is parsed whole: the listen it names, or its problem", async () => {
    const paths = workspacePaths(join(base, "set"));
    mkdirSync(paths.sockets, { recursive: true, mode: 0o700 });
    const listen = `unix://${paths.sockets}/other.sock`;
    for (const text of [
      `api:\n  listen: "${listen}"\n`,
      `"api": { listen: "${listen}" }\n`,
      `scan: {}\r\n"api":\r\n  listen: "${listen}"\r\n`,
    ]) {
      writeFileSync(paths.panelConfig, text);
      assert.equal(mayConfigureApi(text), true);
      assert.equal(await panelListen(paths), listen);
      assert.equal(await panelListen(paths), loadPanelConfig(paths).config.listen);
    }
    writeFileSync(paths.panelConfig, 'api:\n  listen: "tcp://127.0.0.1:7000"\n');
    await assert.rejects(
      panelListen(paths),
      (e) =>
        e instanceof RttError &&
        e.code === "RTT_ERR_DOC_SCHEMA" &&
        /invalid: 2:\d+: api\.listen/.test(e.message),
    );
  });

  test("no api: the default, whatever else is wrong; `whole` checks the rest too", async () => {
    const paths = workspacePaths(join(base, "unset"));
    mkdirSync(paths.rttDir, { recursive: true });
    assert.equal(await panelListen(paths), defaultListen(paths), "no panel.yaml");
    writeFileSync(paths.panelConfig, "scann:\n  roots: []\n");
    assert.equal(await panelListen(paths), defaultListen(paths));
    await assert.rejects(
      panelListen(paths, true),
      (e) => e instanceof RttError && e.code === "RTT_ERR_DOC_SCHEMA" && /scann/.test(e.message),
    );
    // Unreadable (a folder): the loader's diagnostic, as before.
    rmSync(paths.panelConfig);
    mkdirSync(paths.panelConfig);
    await assert.rejects(panelListen(paths), (e) => e instanceof RttError);
  });
});
