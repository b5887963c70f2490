// Every way a driver's start-up can end, from a table: what the host saw in, the verdict out
// (docs/design.md §Processes and sockets: the handshake on descriptor 3).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RttError } from "@rtt/core";
import {
  formatHandshake,
  formatRefusal,
  type Handshake,
  MAX_HANDSHAKE_LINE,
} from "../handshake/handshake-line.ts";
import {
  classifyStart,
  connectFailure,
  DriverStartError,
  type StartContext,
  type StartEnd,
  type StartVerdict,
  stoppedWhileStarting,
} from "./start-outcome.ts";

const who = 'driver "echo" (node echo-driver.ts)';
const context: StartContext = { who, timeoutMs: 600, offered: [1, 2], spawnedPid: 1234 };
const socket = "/tmp/rtt-0/driver-echo-1234-a1b2c3.sock";

const handshake: Handshake = {
  coreVersion: 1,
  appVersion: 2,
  network: "unix",
  address: socket,
  protocol: "grpc",
  pid: 1234,
  startTime: "987654",
  nonce: "00112233445566778899aabbccddeeff",
  extra: [],
};
const line = (h: Partial<Handshake>): StartEnd => ({
  kind: "line",
  line: formatHandshake({ ...handshake, ...h }),
});
const refusal = formatRefusal({ code: "RTT_ERR_DRIVER_VERSION", message: "no version in common" });

const rows: readonly { name: string; end: StartEnd; verdict: StartVerdict }[] = [
  {
    name: "the command cannot be spawned: SPAWN, nothing to kill, nothing to quote",
    end: { kind: "spawn-error", error: new Error("spawn /nonexistent ENOENT") },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_SPAWN",
        message: `cannot start ${who}: spawn /nonexistent ENOENT`,
        hint: "check the command path and that it is executable",
        ending: "never-ran",
      },
    },
  },
  {
    name: "no line and no exit within the start timeout: TIMEOUT, killed",
    end: { kind: "timeout" },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_TIMEOUT",
        message: `${who} did not write its handshake on descriptor 3 within 600 ms; killed it`,
        hint: "a driver built with @rtt/connector-sdk calls serveDriver(); others see docs/connectors.md",
        ending: "kill",
      },
    },
  },
  {
    name: "it exited with a code before its handshake: EXITED",
    end: { kind: "exit", exit: { code: 3, signal: null }, fd3: "" },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} exited with code 3 before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "it was killed by a signal before its handshake: EXITED, naming the signal",
    end: { kind: "exit", exit: { code: null, signal: "SIGKILL" }, fd3: "" },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} was killed by SIGKILL before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "an exit with neither code nor signal: EXITED with code ?",
    end: { kind: "exit", exit: { code: null, signal: null }, fd3: "" },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} exited with code ? before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "it exited after a refusal on descriptor 3: the refusal's own code and message",
    end: { kind: "exit", exit: { code: 1, signal: null }, fd3: `${refusal}\n` },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_VERSION",
        message: `${who} refused to start: no version in common`,
        ending: "kill",
      },
    },
  },
  {
    name: "it exited after an unterminated refusal: still its refusal",
    end: { kind: "exit", exit: { code: 1, signal: null }, fd3: refusal },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_VERSION",
        message: `${who} refused to start: no version in common`,
        ending: "kill",
      },
    },
  },
  {
    name: "it exited after a refusal on a second line: only the first line counts, EXITED",
    end: { kind: "exit", exit: { code: 1, signal: null }, fd3: `garbage\n${refusal}\n` },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} exited with code 1 before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "it exited after a refusal with a code not in the catalog: EXITED",
    end: { kind: "exit", exit: { code: 1, signal: null }, fd3: "RTT-REFUSED|RTT_ERR_NOPE|no\n" },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} exited with code 1 before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "descriptor 3 closed empty and it exited: EXITED",
    end: { kind: "eof", exit: { code: 0, signal: null } },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_EXITED",
        message: `${who} exited with code 0 before its handshake`,
        ending: "kill",
      },
    },
  },
  {
    name: "descriptor 3 closed empty and it runs on: HANDSHAKE",
    end: { kind: "eof", exit: undefined },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_HANDSHAKE",
        message: `${who} closed descriptor 3 without writing a handshake line`,
        ending: "kill",
      },
    },
  },
  {
    name: "a refusal line: its own code, and it is let exit by itself first",
    end: { kind: "line", line: refusal },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_VERSION",
        message: `${who} refused to start: no version in common`,
        ending: "let-it-exit",
      },
    },
  },
  {
    name: "a malformed line: HANDSHAKE, naming the field and what came",
    end: { kind: "line", line: `RTT|1|2|unix|${socket}|http|1234|987654|${handshake.nonce}` },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_HANDSHAKE",
        message: `${who} wrote a malformed handshake line: field 6 (protocol) must be "grpc", got "http"`,
        ending: "kill",
      },
    },
  },
  {
    name: "too long a line without a newline: HANDSHAKE",
    end: { kind: "line", line: "x".repeat(MAX_HANDSHAKE_LINE + 1) },
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_HANDSHAKE",
        message: `${who} wrote a malformed handshake line: the handshake line is longer than ${MAX_HANDSHAKE_LINE} characters`,
        ending: "kill",
      },
    },
  },
  {
    name: "another layout of the line (core version): VERSION, its socket removed",
    end: line({ coreVersion: 2 }),
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_VERSION",
        message: `${who} writes handshake version 2; this host reads version 1`,
        socket,
        ending: "kill",
      },
    },
  },
  {
    name: "a protocol version the host did not offer: VERSION, its socket removed",
    end: line({ appVersion: 3 }),
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_VERSION",
        message: `${who} chose protocol version 3, but the host offered 1,2`,
        socket,
        ending: "kill",
      },
    },
  },
  {
    name: "a good line from the spawned pid: started, nothing to note",
    end: line({}),
    verdict: { ok: true, handshake, note: undefined },
  },
  {
    name: "a good line from another pid (a wrapper that did not exec): started, noted",
    end: line({ pid: 999 }),
    verdict: {
      ok: true,
      handshake: { ...handshake, pid: 999 },
      note: "handshake pid 999 is not the spawned pid 1234 (a wrapper that did not exec?)",
    },
  },
  {
    name: "a framed socket (field 11) that is no absolute path: HANDSHAKE",
    end: line({ extra: ["uds,tcp", "framed.sock"] }),
    verdict: {
      ok: false,
      failure: {
        code: "RTT_ERR_DRIVER_HANDSHAKE",
        message: `${who} wrote a malformed handshake line: field 11 (framed socket) must be empty or an absolute socket path without control characters, got "framed.sock"`,
        ending: "kill",
      },
    },
  },
  {
    name: "a framed socket (field 11): started, kept",
    end: line({ extra: ["uds,tcp", "/tmp/rtt-0/d-framed.sock"] }),
    verdict: {
      ok: true,
      handshake: { ...handshake, extra: ["uds,tcp", "/tmp/rtt-0/d-framed.sock"] },
      note: undefined,
    },
  },
  {
    name: "fields appended by a newer driver: started, kept",
    end: line({ extra: ["later"] }),
    verdict: { ok: true, handshake: { ...handshake, extra: ["later"] }, note: undefined },
  },
];

describe("how a driver's start ended", () => {
  for (const row of rows)
    test(row.name, () => assert.deepEqual(classifyStart(row.end, context), row.verdict));

  test("the table has a row for each kind of end", () => {
    const kinds = new Set(rows.map((r) => r.end.kind));
    assert.deepEqual([...kinds].sort(), ["eof", "exit", "line", "spawn-error", "timeout"]);
  });
});

describe("after the handshake", () => {
  test("the service did not check out: its error's code, after 'wrote its handshake, but'", () => {
    const error = new RttError("RTT_ERR_DRIVER_IDENTITY", "the nonce differs");
    assert.deepEqual(connectFailure(who, error, { socket }), {
      code: "RTT_ERR_DRIVER_IDENTITY",
      message: `${who} wrote its handshake, but the nonce differs`,
      socket,
      ending: "kill",
    });
  });

  test("anything else a call threw: RTT_ERR_DRIVER_CALL", () => {
    assert.deepEqual(connectFailure(who, new Error("boom"), { socket }), {
      code: "RTT_ERR_DRIVER_CALL",
      message: `${who} wrote its handshake, but Error: boom`,
      socket,
      ending: "kill",
    });
  });

  test("stopped while it started: EXITED, its socket removed", () => {
    assert.deepEqual(stoppedWhileStarting(who, { socket }), {
      code: "RTT_ERR_DRIVER_EXITED",
      message: `${who} was stopped while it started`,
      socket,
      ending: "kill",
    });
  });

  test("a driver with a framed socket has both removed", () => {
    const framed = "/tmp/rtt-0/d-framed.sock";
    assert.deepEqual(stoppedWhileStarting(who, { socket, framed }), {
      code: "RTT_ERR_DRIVER_EXITED",
      message: `${who} was stopped while it started`,
      socket,
      framed,
      ending: "kill",
    });
  });
});

describe("DriverStartError", () => {
  test("quotes the last lines, or says there were none", () => {
    const e = new DriverStartError("RTT_ERR_DRIVER_EXITED", "echo", "it died", ["a", "b"], "hint");
    assert.ok(e instanceof RttError);
    assert.equal(e.message, "it died\n  last output:\n    a\n    b");
    assert.equal(e.hint, "hint");
    assert.deepEqual(e.lastLines, ["a", "b"]);
    const silent = new DriverStartError("RTT_ERR_DRIVER_SPAWN", "echo", "no", []);
    assert.equal(silent.message, "no\n  (it printed nothing)");
    assert.equal(silent.hint, undefined);
  });
});
