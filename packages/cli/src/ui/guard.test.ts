import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { test } from "node:test";
import { type Access, allowedHosts, refusal, SECRET_HEADER } from "./guard.ts";

const SECRET = "s3cret-of-this-run";
const guard = {
  hosts: allowedHosts({ kind: "tcp", host: "127.0.0.1", port: 0 }, 7700),
  secret: SECRET,
};

/** A request as the server sees it: its URL and headers (lower-case, as Node gives them). */
const request = (url: string, headers: Record<string, string>) =>
  ({ url, headers }) as unknown as IncomingMessage;

const page = { host: "127.0.0.1:7700" };
const sameOrigin = { ...page, origin: "http://127.0.0.1:7700", "sec-fetch-site": "same-origin" };

test("refusal: the page's own requests pass, each with what its access needs", () => {
  const cases: [string, Record<string, string>, Access][] = [
    ["/", page, "file"],
    ["/app.js", { ...sameOrigin, host: "localhost:7700", origin: "http://localhost:7700" }, "file"],
    [`/events?s=${SECRET}`, sameOrigin, "data"],
    ["/api/trip", { ...sameOrigin, [SECRET_HEADER]: SECRET }, "action"],
    // curl from the owner's shell: no Origin, no Sec-Fetch-Site.
    ["/api/heal", { ...page, [SECRET_HEADER]: SECRET }, "action"],
  ];
  for (const [url, headers, access] of cases)
    assert.equal(refusal(request(url, headers), guard, access), undefined, `${url} ${access}`);
});

test("refusal: another Host (DNS rebinding), another origin, or no secret is refused", () => {
  const cases: [string, Record<string, string>, Access, RegExp][] = [
    ["/", { host: "rebind.example:7700" }, "file", /Host rebind\.example:7700 is not this server/],
    ["/", { host: "127.0.0.1:7701" }, "file", /is not this server/],
    ["/", {}, "file", /no Host header/],
    [
      `/events?s=${SECRET}`,
      { ...page, origin: "http://evil.example" },
      "data",
      /from http:\/\/evil\.example/,
    ],
    [
      "/api/trip",
      { ...page, "sec-fetch-site": "cross-site", [SECRET_HEADER]: SECRET },
      "action",
      /a cross-site request/,
    ],
    ["/events", sameOrigin, "data", /secret is missing or wrong/],
    ["/events?s=s3cret-of-this-rux", sameOrigin, "data", /secret is missing or wrong/],
    ["/api/trip", sameOrigin, "action", /secret is missing or wrong/],
    // The secret in the URL is not the action's: it must come in the header.
    [`/api/trip?s=${SECRET}`, sameOrigin, "action", /secret is missing or wrong/],
    ["/api/trip", { ...sameOrigin, [SECRET_HEADER]: `${SECRET}x` }, "action", /secret/],
  ];
  for (const [url, headers, access, why] of cases)
    assert.match(refusal(request(url, headers), guard, access) ?? "(passed)", why, url);
});

test("allowedHosts: a Unix socket leaves the Host to the proxy in front of it", () => {
  const unix = { hosts: allowedHosts({ kind: "unix", path: "/run/ui.sock" }, 0), secret: SECRET };
  assert.equal(refusal(request("/", { host: "ui.internal" }), unix, "file"), undefined);
  assert.match(refusal(request("/events", { host: "ui.internal" }), unix, "data") ?? "", /secret/);
});

test("allowedHosts: an IPv6 loopback address is bracketed, as browsers send it", () => {
  const hosts = allowedHosts({ kind: "tcp", host: "::1", port: 0 }, 7700);
  assert.deepEqual([...(hosts ?? [])].sort(), ["[::1]:7700", "localhost:7700"]);
});
