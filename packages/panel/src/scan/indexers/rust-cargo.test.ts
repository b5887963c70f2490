import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { fixtureTree } from "./fixture-tree.ts";
import { rustCargo } from "./rust-cargo.ts";
import { indexTree } from "./testing.ts";

const RELAY = `[package]
name = "relay-core"
version.workspace = true
edition = "2021"

[[bin]]
name = "relayd"
path = "src/daemon.rs"

[[bin]]
name = "relay"
path = "./src/main.rs"

[lib]
crate-type = ["rlib", "cdylib"]
`;

const proc = (saddr: string, name: string, file: string, line: number, cwd: string) => ({
  contract: {
    saddr,
    type: "proc",
    direction: "both",
    "x-run": ["cargo", "run", "--bin", name],
    "x-cwd": cwd,
  },
  score: 0.9,
  provenance: { indexer: "rust-cargo", file, line },
});

describe("rust-cargo indexer", () => {
  it("claims [[bin]]s, Cargo's default bins and a cdylib, versioned by the workspace", async (t) => {
    const root = fixtureTree(t, {
      "Cargo.toml":
        '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nversion = "3.2.1"\n',
      "crates/relay/Cargo.toml": RELAY,
      "crates/relay/src/main.rs": "fn main() {}\n",
      "crates/relay/src/daemon.rs": "fn main() {}\n",
      "crates/relay/src/bin/probe.rs": "fn main() {}\n",
      "crates/relay/src/bin/multi/main.rs": "fn main() {}\n",
      "crates/relay/src/bin/multi/helper.rs": "pub fn help() {}\n",
      "crates/quiet/Cargo.toml": '[package]\nname = "quiet"\nversion = "0.1.0"\nautobins = false\n',
      "crates/quiet/src/main.rs": "fn main() {}\n",
      "target/package/relay-core-3.2.1/Cargo.toml": '[package]\nname = "relay-core"\n',
      "target/package/relay-core-3.2.1/src/main.rs": "fn main() {}\n",
    });
    const m = "crates/relay/Cargo.toml";
    assert.deepEqual(await indexTree(rustCargo, root), [
      {
        contract: {
          saddr: "rtt://relay-core/plugin/relay_core@3.2.1",
          type: "plugin",
          direction: "provider",
          "x-crate-type": "cdylib",
        },
        score: 0.9,
        provenance: { indexer: "rust-cargo", file: m, line: 15 },
      },
      proc(
        "rtt://relay-core/proc/multi@3.2.1",
        "multi",
        "crates/relay/src/bin/multi/main.rs",
        1,
        "../../..",
      ),
      proc(
        "rtt://relay-core/proc/probe@3.2.1",
        "probe",
        "crates/relay/src/bin/probe.rs",
        1,
        "../..",
      ),
      proc("rtt://relay-core/proc/relay@3.2.1", "relay", m, 11, "."),
      proc("rtt://relay-core/proc/relayd@3.2.1", "relayd", m, 7, "."),
    ]);
  });

  it("names the default src/main.rs bin after its package", async (t) => {
    const root = fixtureTree(t, {
      "Cargo.toml": '[package]\nname = "Echo_Tool"\nversion = "0.4.2"\n',
      "src/main.rs": "fn main() {}\n",
    });
    assert.deepEqual(await indexTree(rustCargo, root), [
      proc("rtt://echo_tool/proc/echo_tool@0.4.2", "Echo_Tool", "src/main.rs", 1, ".."),
    ]);
  });

  it("refuses a malformed Cargo.toml with its position", async (t) => {
    const root = fixtureTree(t, { "x/Cargo.toml": '[package]\nname = "x"\n[[bin]\n' });
    await assert.rejects(indexTree(rustCargo, root), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.equal(error.position?.file, "x/Cargo.toml");
      assert.equal(error.position?.line, 3);
      return true;
    });
  });
});
