import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseUiListen } from "./listen.ts";

const port = fc.integer({ min: 0, max: 65535 });
const octet = fc.integer({ min: 0, max: 255 });

test("parseUiListen: every 127.0.0.0/8 address and [::1] is served, with its port (property)", () => {
  fc.assert(
    fc.property(octet, octet, octet, port, (a, b, c, p) => {
      const host = `127.${a}.${b}.${c}`;
      assert.deepEqual(parseUiListen(`${host}:${p}`, "/w"), { kind: "tcp", host, port: p });
      assert.deepEqual(parseUiListen(`[::1]:${p}`, "/w"), { kind: "tcp", host: "::1", port: p });
    }),
  );
});

test("parseUiListen: any other IPv4 address is refused as not loopback (property)", () => {
  fc.assert(
    fc.property(
      fc.ipV4().filter((ip) => !ip.startsWith("127.")),
      port,
      (ip, p) => {
        assert.throws(() => parseUiListen(`${ip}:${p}`, "/w"), {
          code: "RTT_ERR_USAGE",
          message: new RegExp(`${ip.replaceAll(".", "\\.")} is not a loopback address`),
        });
      },
    ),
  );
});

test("parseUiListen: any text that is not loopback HOST:PORT nor unix:PATH is refused (property)", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (text) => {
      fc.pre(!text.startsWith("unix:"));
      let parsed: ReturnType<typeof parseUiListen> | undefined;
      try {
        parsed = parseUiListen(text, "/w");
      } catch (error) {
        assert.equal((error as { code?: string }).code, "RTT_ERR_USAGE");
        return;
      }
      // What passed is loopback, and says so in the way it was written.
      assert.equal(parsed.kind, "tcp");
      if (parsed.kind === "tcp")
        assert.ok(parsed.host === "::1" || parsed.host.startsWith("127."), text);
    }),
  );
});

test("parseUiListen: names, the wildcard, other IPv6 and ports past 65535 are refused", () => {
  for (const [spec, why] of [
    ["localhost:8080", /not a host name/],
    ["0.0.0.0:8080", /0\.0\.0\.0 is not a loopback address/],
    ["[::]:8080", /:: is not a loopback address/],
    ["[fe80::1]:80", /fe80::1 is not a loopback address/],
    ["example.com:80", /example\.com is not a loopback address/],
    [":8080", /no host is not a loopback address/],
    ["127.0.0.1:65536", /past 65535/],
    ["127.0.0.1", /expected HOST:PORT/],
    ["unix:", /no socket path/],
  ] as const)
    assert.throws(() => parseUiListen(spec, "/w"), { code: "RTT_ERR_USAGE", message: why }, spec);
});

test("parseUiListen: a Unix socket path is taken from the folder the command runs in", () => {
  assert.deepEqual(parseUiListen("unix:ui.sock", "/w/ks"), { kind: "unix", path: "/w/ks/ui.sock" });
  assert.deepEqual(parseUiListen("unix:/run/ui.sock", "/w"), {
    kind: "unix",
    path: "/run/ui.sock",
  });
});
