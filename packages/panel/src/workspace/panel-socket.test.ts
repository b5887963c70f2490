import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { RttError } from "@rtt/core";
import { fitsSunPath, shortSocketDir } from "@rtt/fabric";
import fc from "fast-check";
import { checkPanelSocketFolder, defaultListen, listenProblem } from "./panel-socket.ts";
import { workspacePaths } from "./workspace.ts";

const base = mkdtempSync(join(tmpdir(), "rtt-psock-"));
after(() => rmSync(base, { recursive: true, force: true }));

const shallow = workspacePaths(join(base, "ws"));
const deep = workspacePaths(join(base, "d".repeat(70), "ws"));
const segment = fc.stringMatching(/^[a-z0-9_-]{1,12}$/);

describe("the panel's socket path", () => {
  test("the default is .rtt/sockets/panel.sock, or a short per-workspace path when too long", () => {
    assert.equal(defaultListen(shallow), `unix://${shallow.sockets}/panel.sock`);
    const long = defaultListen(deep);
    assert.match(long, new RegExp(`^unix://${shortSocketDir()}/panel-[0-9a-f]{16}\\.sock$`));
    assert.ok(fitsSunPath(long.slice("unix://".length)));
    assert.equal(defaultListen(deep), long, "the CLI finds it the same way");
    assert.notEqual(defaultListen(workspacePaths(join(base, "e".repeat(70), "ws"))), long);
    for (const paths of [shallow, deep])
      assert.equal(listenProblem(paths, defaultListen(paths)), undefined);
  });

  test("api.listen: a socket in .rtt/sockets or the short folder, nothing else", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), (parts) => {
        const name = `${parts.join("/")}.sock`;
        assert.equal(listenProblem(shallow, `unix://${shallow.sockets}/${name}`), undefined);
        assert.equal(listenProblem(shallow, `unix://${shortSocketDir()}/${name}`), undefined);
        for (const bad of [
          `unix://${shallow.sockets}/../${name}`,
          `unix://${shallow.sockets}/./${name}`,
          `unix://${shallow.sockets}//${name}`,
          `unix://${shallow.rttDir}/${name}`,
          `unix:///tmp/${name}`,
          `unix://${shallow.sockets}`,
          `tcp://127.0.0.1:7000`,
          `unix://.rtt/sockets/${name}`,
        ])
          assert.notEqual(listenProblem(shallow, bad), undefined, bad);
      }),
    );
    assert.match(
      listenProblem(deep, `unix://${deep.sockets}/panel.sock`) ?? "",
      /longer than \d+ bytes/,
    );
  });

  test("a client refuses a socket folder that is not private to it", () => {
    const folder = join(base, "client", "sockets");
    const listen = `unix://${folder}/panel.sock`;
    checkPanelSocketFolder(listen); // missing: the panel is not running, nothing to trust
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    checkPanelSocketFolder(listen);
    chmodSync(folder, 0o777);
    assert.throws(
      () => checkPanelSocketFolder(listen),
      (e: unknown) => e instanceof RttError && e.code === "RTT_ERR_SOCKET_UNSAFE",
    );
  });
});
