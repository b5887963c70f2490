import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { JsonValue } from "./json-value.ts";
import {
  LAUNCH_LABEL_KEYS,
  launchChanges,
  launchExtensions,
  launchHash,
  launchOf,
  launchRouteParams,
} from "./launch.ts";

const SOURCE = { file: "services/logger/rtt.manifest.json" };

const logger = (x: Record<string, JsonValue>) =>
  launchOf({ type: "extension", extensions: x, source: SOURCE });

describe("launchOf", () => {
  it("covers every x- key a driver reads, paths against the manifest's folder", () => {
    const launch = logger({
      "x-run": ["node", "logger.mjs", "out.ndjson"],
      "x-cwd": "../bin",
      "x-path": "data/log.ndjson",
      "x-url": "http://127.0.0.1:9464",
      "x-driver": "custom",
      "x-emit": 3,
      "x-emit-interval-ms": 2,
      "x-env": { LEVEL: "debug" },
    });
    assert.deepEqual(launch, {
      manifest: SOURCE.file,
      driver: "custom",
      argv: ["node", "logger.mjs", "out.ndjson"],
      cwd: "services/bin",
      path: "services/logger/data/log.ndjson",
      url: "http://127.0.0.1:9464",
      extra: { "x-emit": 3, "x-emit-interval-ms": 2, "x-env": { LEVEL: "debug" } },
    });
  });

  it("leaves labels out, runs in the manifest's folder by default, keeps absolute paths", () => {
    const plain = logger({ "x-run": ["node", "logger.mjs"] });
    assert.deepEqual(plain, {
      manifest: SOURCE.file,
      driver: "process",
      argv: ["node", "logger.mjs"],
      cwd: "services/logger",
    });
    for (const label of LAUNCH_LABEL_KEYS)
      assert.equal(
        launchHash(logger({ "x-run": ["node", "logger.mjs"], [label]: "anything" })),
        launchHash(plain),
      );
    assert.equal(logger({ "x-cwd": "/srv/app" }).cwd, "/srv/app");
  });

  it("a known key of the wrong type is still covered, as an extra", () => {
    assert.deepEqual(logger({ "x-cwd": 7 }).extra, { "x-cwd": 7 });
  });

  it("property: the hash ignores key order and changes with any non-label x- value", () => {
    const key = fc.stringMatching(/^x-[a-z]{1,8}$/).filter((k) => !LAUNCH_LABEL_KEYS.has(k));
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue()), key, fc.string(), (x, k, v) => {
        const reversed = Object.fromEntries(Object.entries(x).reverse());
        const h = launchHash(logger(x as Record<string, JsonValue>));
        assert.equal(launchHash(logger(reversed as Record<string, JsonValue>)), h);
        const changed = { ...x, [k]: `${JSON.stringify(x[k])}${v}!` };
        assert.notEqual(launchHash(logger(changed as Record<string, JsonValue>)), h);
      }),
    );
  });
});

describe("launch for drivers and plans", () => {
  it("gives a driver absolute paths under the root", () => {
    const x = launchExtensions(logger({ "x-run": ["node", "a.mjs"], "x-path": "f.log" }), "/ws");
    assert.deepEqual(x, {
      "x-driver": "process",
      "x-run": ["node", "a.mjs"],
      "x-cwd": "/ws/services/logger",
      "x-path": "/ws/services/logger/f.log",
    });
  });

  it("names what changed, old → new", () => {
    const before = logger({ "x-run": ["node", "a.mjs"] });
    const after = logger({ "x-run": ["node", "b.mjs"], "x-cwd": "sub" });
    assert.deepEqual(launchChanges(before, after), [
      'argv: ["node","a.mjs"] → ["node","b.mjs"]',
      'cwd: "services/logger" → "services/logger/sub"',
    ]);
    assert.deepEqual(launchChanges(before, before), []);
  });

  it("finds route params that would say what runs", () => {
    assert.deepEqual(launchRouteParams({ framing: "lines", url: "x", command: "[]" }), [
      "command",
      "url",
    ]);
    assert.deepEqual(launchRouteParams(undefined), []);
  });
});
