/** The launchd indexer on a fixture tree: jobs with their argv and sockets; nothing else. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LAUNCHD_SCORE, launchdIndexer } from "./launchd.ts";
import { indexTree } from "./testing.ts";

const root = mkdtempSync(join(tmpdir(), "rtt-launchd-"));
after(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, content: string | Buffer): void {
  mkdirSync(join(root, rel, ".."), { recursive: true });
  writeFileSync(join(root, rel), content);
}

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">`;

put(
  "mac/com.example.relay.plist",
  `${HEAD}
<dict>
  <key>Label</key>
  <string>com.example.relay</string>
  <!-- the job -->
  <key>ProgramArguments</key>
  <array>
    <string>/usr/local/bin/relay</string>
    <string>--name=a &amp; b</string>
  </array>
  <key>WorkingDirectory</key><string>/var/relay</string>
  <key>RunAtLoad</key><true/>
  <key>Sockets</key>
  <dict>
    <key>Listeners</key>
    <dict><key>SockServiceName</key><string>8080</string></dict>
    <key>Control</key>
    <array><dict><key>SockPathName</key><string>/var/run/relay.sock</string></dict>
      <dict><key>SockType</key><string>dgram</string><key>SockServiceName</key><integer>514</integer></dict>
      <dict><key>SockType</key><string>dgram</string><key>SockPathName</key><string>/var/run/log</string></dict>
    </array>
  </dict>
</dict>
</plist>
`,
);
put(
  "mac/program.plist",
  `${HEAD}<dict><key>Label</key><string>Worker</string><key>Program</key><string>/bin/worker</string>
<key>ProgramArguments</key><array><string>worker-argv0</string><string>-v</string></array></dict></plist>`,
);
put("mac/Info.plist", `${HEAD}<dict><key>CFBundleName</key><string>App</string></dict></plist>`);
put(
  "mac/entity.plist",
  `<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY x "/bin/evil">]><plist><dict><key>Label</key><string>e</string><key>Program</key><string>&x;</string></dict></plist>`,
);
put("mac/binary.plist", Buffer.concat([Buffer.from("bplist00"), Buffer.alloc(40, 1)]));
put("mac/nolabel.plist", `${HEAD}<dict><key>Program</key><string>/bin/x</string></dict></plist>`);

describe("launchd indexer", () => {
  it("claims jobs with their argv and sockets, and nothing else", async () => {
    assert.deepEqual(await indexTree(launchdIndexer, root), [
      {
        contract: {
          saddr: "rtt://mac/service/com.example.relay@0.0.0",
          type: "service",
          direction: "both",
          io: "stream",
          "x-run": ["/usr/local/bin/relay", "--name=a & b"],
          "x-cwd": "/var/relay",
          "x-listen": ["unix:/var/run/relay.sock", "udp:514", "unixgram:/var/run/log", "tcp:8080"],
        },
        score: LAUNCHD_SCORE,
        provenance: { indexer: "launchd", file: "mac/com.example.relay.plist", line: 8 },
      },
      {
        contract: {
          saddr: "rtt://mac/service/worker@0.0.0",
          type: "service",
          direction: "both",
          io: "stream",
          "x-run": ["/bin/worker", "-v"],
          "x-cwd": ".",
        },
        score: LAUNCHD_SCORE,
        provenance: { indexer: "launchd", file: "mac/program.plist", line: 3 },
      },
    ]);
  });
});
