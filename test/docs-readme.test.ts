// README.md's Set up section tells a Node 20 user what `npm ci` warns about; npm warns once per
// installed package whose `engines.node` leaves Node 20 out, as package-lock.json records them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import semver from "semver";

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), "utf8");

/** The Node 20 a user of the README has: its last release line, where npm checks the ranges. */
const NODE_20 = "20.20.0";

it("README.md counts and names the EBADENGINE warnings npm ci prints on Node 20", () => {
  const lock = JSON.parse(read("package-lock.json")) as {
    packages: Record<string, { engines?: { node?: string } }>;
  };
  const refusing = Object.entries(lock.packages)
    .filter(([, p]) => p.engines?.node !== undefined && !semver.satisfies(NODE_20, p.engines.node))
    .map(([path]) => (path === "" ? "RTT's root package" : path.replace(/^.*node_modules\//, "")));
  const readme = read("README.md").replace(/\s+/g, " ");
  const said = /`npm ci` prints (\d+) `EBADENGINE` warnings \(([^)]*)\)/.exec(readme);
  assert.ok(said !== null, "README.md: no line saying how many EBADENGINE warnings npm ci prints");
  assert.equal(Number(said[1]), refusing.length, refusing.join(", "));
  const unnamed = [...new Set(refusing)].filter((name) => !said[2]?.includes(name));
  assert.deepEqual(unnamed, [], `README.md's EBADENGINE line leaves out ${unnamed.join(", ")}`);
});
