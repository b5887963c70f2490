import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RttError } from "@rtt/core";
import { fixtureTree } from "./fixture-tree.ts";
import type { Discovery } from "./indexer.ts";
import { pythonPackaging, scriptArgv } from "./python-packaging.ts";
import { indexTree } from "./testing.ts";

const PYPROJECT = `[build-system]
requires = ["hatchling"]

[project]
name = "Acme_Tools"
version = "1.4.0"

[project.scripts]
acme = "acme.cli:main"
acme-serve = "acme.server"
"bad one" = "acme.cli:main; import os"

[project.gui-scripts]
acme-gui = "acme.gui:App.run"

[project.entry-points."pytest11"]
acme = "acme.pytest_plugin"

[project.entry-points."acme.hooks"]
audit = "acme.audit:hook [extra]"
`;

const SETUP_CFG = `[metadata]
name = legacy.pkg
version = attr: legacy.__version__

[options.entry_points]
console_scripts =
    legacy = legacy.main:run
# a comment
    legacy-tool = legacy.tool:main
flake8.extension =
    LG = legacy.flake:Plugin
`;

const py = (rel: string, line: number) => ({ indexer: "python-packaging", file: rel, line });

describe("python-packaging indexer", () => {
  it("claims scripts, gui scripts and entry points from pyproject.toml", async (t) => {
    const root = fixtureTree(t, { "tools/pyproject.toml": PYPROJECT });
    const claims = await indexTree(pythonPackaging, root);
    const file = "tools/pyproject.toml";
    assert.deepEqual(claims, [
      {
        contract: {
          saddr: "rtt://acme_tools/hook/acme.hooks.audit@1.4.0",
          type: "hook",
          direction: "provider",
          "x-entry-point": "acme.audit:hook [extra]",
          "x-entry-point-group": "acme.hooks",
        },
        score: 0.9,
        provenance: py(file, 20),
      },
      {
        contract: {
          saddr: "rtt://acme_tools/plugin/pytest11.acme@1.4.0",
          type: "plugin",
          direction: "provider",
          "x-entry-point": "acme.pytest_plugin",
          "x-entry-point-group": "pytest11",
        },
        score: 0.9,
        provenance: py(file, 17),
      },
      {
        contract: {
          saddr: "rtt://acme_tools/proc/acme-gui@1.4.0",
          type: "proc",
          direction: "both",
          "x-run": ["python3", "-c", "import sys; from acme.gui import App; sys.exit(App.run())"],
          "x-cwd": ".",
        },
        score: 0.9,
        provenance: py(file, 14),
      },
      {
        contract: {
          saddr: "rtt://acme_tools/proc/acme-serve@1.4.0",
          type: "proc",
          direction: "both",
          "x-run": ["python3", "-m", "acme.server"],
          "x-cwd": ".",
        },
        score: 0.9,
        provenance: py(file, 10),
      },
      {
        contract: {
          saddr: "rtt://acme_tools/proc/acme@1.4.0",
          type: "proc",
          direction: "both",
          "x-run": ["python3", "-c", "import sys; from acme.cli import main; sys.exit(main())"],
          "x-cwd": ".",
        },
        score: 0.9,
        provenance: py(file, 9),
      },
    ]);
  });

  it("claims setup.cfg console_scripts and entry points (INI continuations)", async (t) => {
    const root = fixtureTree(t, { "setup.cfg": SETUP_CFG });
    const claims = await indexTree(pythonPackaging, root);
    assert.deepEqual(
      claims.map((c) => [c.contract.saddr, c.contract["x-run"], c.provenance.line]),
      [
        ["rtt://legacy.pkg/plugin/flake8.extension.lg@0.0.0", undefined, 11],
        [
          "rtt://legacy.pkg/proc/legacy-tool@0.0.0",
          ["python3", "-c", "import sys; from legacy.tool import main; sys.exit(main())"],
          9,
        ],
        [
          "rtt://legacy.pkg/proc/legacy@0.0.0",
          ["python3", "-c", "import sys; from legacy.main import run; sys.exit(run())"],
          7,
        ],
      ],
    );
  });

  it("claims nothing for a pyproject without scripts, or one installed in a virtualenv", async (t) => {
    const root = fixtureTree(t, {
      "a/pyproject.toml": '[project]\nname = "quiet"\nversion = "1.0.0"\n',
      "b/pyproject.toml": "[tool.black]\nline-length = 100\n",
      "c/setup.cfg": "[metadata]\nname = x\n",
      ".venv/lib/python3.12/site-packages/dep/pyproject.toml":
        '[project]\nname = "dep"\n[project.scripts]\nd = "d:m"\n',
    });
    assert.deepEqual(await indexTree(pythonPackaging, root), []);
  });

  it("names a project without a name after its folder, unversioned", async (t) => {
    const root = fixtureTree(t, {
      "My Tool/pyproject.toml":
        '[project]\ndynamic = ["version", "name"]\n[project.scripts]\nt = "t:main"\n',
    });
    const claims = await indexTree(pythonPackaging, root);
    assert.deepEqual(
      claims.map((c) => c.contract.saddr),
      ["rtt://my-tool/proc/t@0.0.0"],
    );
  });

  it("refuses malformed TOML with its position", async (t) => {
    const root = fixtureTree(t, { "pyproject.toml": '[project]\nname = "x"\nscripts = {\n' });
    await assert.rejects(indexTree(pythonPackaging, root), (error: unknown) => {
      assert.ok(error instanceof RttError);
      assert.equal(error.code, "RTT_ERR_DOC_SYNTAX");
      assert.equal(error.position?.file, "pyproject.toml");
      assert.ok((error.position?.line ?? 0) >= 3);
      return true;
    });
  });

  it("runs a src-layout script in src/, with an argv that really runs it", async (t) => {
    const root = fixtureTree(t, {
      "pyproject.toml": '[project]\nname = "acme"\n[project.scripts]\nacme = "acme.cli:main"\n',
      "src/acme/__init__.py": "",
      "src/acme/cli.py": 'def main():\n    print("ran")\n    return 3\n',
    });
    const claims = await indexTree(pythonPackaging, root);
    assert.equal(claims.length, 1);
    const { contract } = claims[0] as Discovery;
    assert.equal(contract["x-cwd"], "src");
    const [command, ...args] = contract["x-run"] as string[];
    const run = spawnSync(command as string, args, { cwd: join(root, "src"), encoding: "utf8" });
    if (run.error !== undefined) return t.skip("no python3 on this machine");
    assert.deepEqual([run.stdout, run.status], ["ran\n", 3]);
  });

  it("reads Poetry's scripts and plugins when there is no [project] table", async (t) => {
    const root = fixtureTree(t, {
      "pyproject.toml": [
        "[tool.poetry]",
        'name = "poet"',
        'version = "2.0.1"',
        "[tool.poetry.scripts]",
        'poet = "poet.main:run"',
        'data = { reference = "poet/data.txt", type = "file" }',
        '[tool.poetry.plugins."poet.hooks"]',
        'h = "poet.h:hook"',
      ].join("\n"),
    });
    assert.deepEqual(
      (await indexTree(pythonPackaging, root)).map((c) => [c.contract.saddr, c.provenance.line]),
      [
        ["rtt://poet/hook/poet.hooks.h@2.0.1", 8],
        ["rtt://poet/proc/poet@2.0.1", 5],
      ],
    );
  });

  it("puts only identifiers into a -c argv", () => {
    assert.equal(scriptArgv("pkg:main; import os"), undefined);
    assert.equal(scriptArgv("pkg:main()"), undefined);
    assert.equal(scriptArgv("pkg:__import__('os').system"), undefined);
    assert.deepEqual(scriptArgv(" pkg.sub : main [x,y] "), [
      "python3",
      "-c",
      "import sys; from pkg.sub import main; sys.exit(main())",
    ]);
  });
});
