/** The systemd indexer on a fixture tree: services' argv, sockets' endpoints, and what is not one. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execArgv } from "./exec-line.ts";
import { listenOf, SYSTEMD_SCORE, systemdIndexer } from "./systemd.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-systemd-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, content: string): void {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), content);
}

put(
  "deploy/relay.service",
  [
    "[Unit]",
    "Description=Relay worker",
    "",
    "[Service]",
    "ExecStart=",
    "ExecStart=-@/usr/bin/python3 relay-worker \\",
    "  # a comment inside the continuation",
    '  -m relay "--name=a b" \\x41%%',
    "WorkingDirectory=-/srv/relay",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ].join("\n"),
);
put(
  "deploy/relay.socket",
  [
    "[Unit]",
    "Description=Relay sockets",
    "[Socket]",
    "ListenStream=/run/relay.sock",
    "ListenStream=8080",
    "ListenDatagram=[::1]:9000",
    "ListenFIFO=/run/relay.fifo",
    "ListenNetlink=route 1361",
  ].join("\n"),
);
put("deploy/oneshot.service", "[Service]\nType=oneshot\nExecStart=/bin/true ; /bin/false\n");
put("deploy/noexec.service", "[Service]\nType=simple\n[Install]\nExecStart=/bin/x\n");
put("deploy/openquote.service", '[Service]\nExecStart=/bin/sh -c "echo\n');
put("deploy/none.socket", "[Socket]\nListenNetlink=kobject-uevent 1\n");

describe("systemd indexer", () => {
  it("claims services with their argv and sockets with their endpoints", async () => {
    assert.deepEqual(await indexTree(systemdIndexer, root), [
      {
        contract: {
          saddr: "rtt://deploy/file/relay.socket@0.0.0",
          type: "file",
          direction: "both",
          io: "stream",
          "x-listen": [
            "unix:/run/relay.sock",
            "tcp:8080",
            "udp:[::1]:9000",
            "fifo:/run/relay.fifo",
          ],
          "x-note": "Relay sockets",
        },
        score: SYSTEMD_SCORE,
        provenance: { indexer: "systemd", file: "deploy/relay.socket", line: 4 },
      },
      {
        contract: {
          saddr: "rtt://deploy/service/oneshot@0.0.0",
          type: "service",
          direction: "both",
          io: "stream",
          "x-run": ["/bin/true"],
          "x-cwd": ".",
        },
        score: SYSTEMD_SCORE,
        provenance: { indexer: "systemd", file: "deploy/oneshot.service", line: 3 },
      },
      {
        contract: {
          saddr: "rtt://deploy/service/relay@0.0.0",
          type: "service",
          direction: "both",
          io: "stream",
          "x-run": ["/usr/bin/python3", "-m", "relay", "--name=a b", "A%"],
          "x-cwd": "/srv/relay",
          "x-note": "Relay worker",
        },
        score: SYSTEMD_SCORE,
        provenance: { indexer: "systemd", file: "deploy/relay.service", line: 6 },
      },
    ]);
  });

  it("splits command lines by systemd's rules", () => {
    assert.deepEqual(execArgv("+!!/bin/run 'a b' c\\ d"), ["/bin/run", "a b", "c d"]);
    assert.deepEqual(execArgv("/bin/echo ';' x"), ["/bin/echo", ";", "x"]);
    assert.deepEqual(execArgv("-"), undefined);
    assert.deepEqual(execArgv("   "), undefined);
  });

  it("reads listen addresses, and refuses what is none", () => {
    assert.equal(listenOf("ListenStream", "@abstract"), "unix:@abstract");
    assert.equal(listenOf("ListenDatagram", "/run/log"), "unixgram:/run/log");
    assert.equal(listenOf("ListenSequentialPacket", "/run/p"), "unixpacket:/run/p");
    assert.equal(listenOf("ListenSequentialPacket", "80"), undefined);
    assert.equal(listenOf("ListenStream", "127.0.0.1:80"), "tcp:127.0.0.1:80");
    assert.equal(listenOf("ListenStream", "1.2.3.4"), undefined);
    assert.equal(listenOf("ListenFIFO", "relative"), undefined);
  });
});
