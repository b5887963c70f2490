import assert from "node:assert/strict";
import { it, describe as suite } from "node:test";
import { type Contract, RttError } from "@rtt/core";
import fc from "fast-check";
import { decodeRecords, encodeRecord } from "./journaled-source.ts";
import { describe, natsSettings } from "./settings.ts";

const bus = (extra: Record<string, unknown>): Contract =>
  ({
    saddr: "rtt://net/bus/events@1.0.0",
    type: "bus",
    direction: "consumer",
    "x-driver": "nats",
    "x-cwd": "/ws/bus",
    ...extra,
  }) as Contract;

const refused = (extra: Record<string, unknown>, pattern: RegExp) =>
  assert.throws(
    () => natsSettings(bus(extra)),
    (e: unknown) =>
      e instanceof RttError && e.code === "RTT_ERR_DOC_SCHEMA" && pattern.test(e.message),
  );

suite("natsSettings", () => {
  it("reads the server, subject, stream and the files to authenticate with", () => {
    const s = natsSettings(
      bus({
        "x-url": "nats://127.0.0.1:4222, tls://nats.example:4443",
        "x-subject": "rtt.events",
        "x-stream": "RTT_EVENTS",
        "x-creds": "secrets/rtt.creds",
        "x-tls": { ca: "/etc/ca.pem", cert: "c.pem", key: "k.pem" },
      }),
    );
    assert.deepEqual(s, {
      saddr: "rtt://net/bus/events@1.0.0",
      servers: ["nats://127.0.0.1:4222", "tls://nats.example:4443"],
      subject: "rtt.events",
      stream: "RTT_EVENTS",
      credsFile: "/ws/bus/secrets/rtt.creds",
      tls: { caFile: "/etc/ca.pem", certFile: "/ws/bus/c.pem", keyFile: "/ws/bus/k.pem" },
    });
    const text = describe(s);
    assert.match(text, /subject rtt\.events \(JetStream stream RTT_EVENTS\), with credentials/);
    assert.doesNotMatch(text, /rtt\.creds|pem/, "no credential file is named in a log line");
  });

  it("names the key that is wrong", () => {
    refused({ "x-subject": "a" }, /x-url: missing/);
    refused({ "x-url": "http://127.0.0.1:4222", "x-subject": "a" }, /x-url: .* not a nats:/);
    refused({ "x-url": "nats://u:secret@h:4222", "x-subject": "a" }, /x-url: carries a user/);
    refused({ "x-url": "nats://h:4222" }, /x-subject: missing/);
    refused({ "x-url": "nats://h:4222", "x-subject": "a.*" }, /x-subject: "a\.\*" is not/);
    refused({ "x-url": "nats://h:4222", "x-subject": "a", "x-stream": "a.b" }, /x-stream/);
    refused({ "x-url": "nats://h:4222", "x-subject": "a", "x-tls": { pass: "x" } }, /x-tls\.pass/);
  });

  it("property: a password in x-url is refused and never echoed", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{6,20}$/), (secret) => {
        try {
          natsSettings(bus({ "x-url": `nats://rtt:${secret}@h:4222`, "x-subject": "a" }));
          assert.fail("accepted");
        } catch (e) {
          assert.ok(e instanceof RttError);
          assert.ok(!e.message.includes(secret));
        }
      }),
    );
  });
});

suite("journal records", () => {
  it("property: records decode to the messages encoded, cut where the last whole one ends", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ seq: fc.nat(), data: fc.uint8Array({ maxLength: 40 }) })),
        fc.nat({ max: 1000 }),
        fc.nat({ max: 11 }),
        (items, from, cut) => {
          const whole = Buffer.concat(items.map((r) => encodeRecord(r.seq, r.data)));
          const bytes = Buffer.concat([
            whole,
            encodeRecord(1, Buffer.from("partial")).subarray(0, cut),
          ]);
          const { records, boundary } = decodeRecords(bytes, from);
          assert.equal(boundary, from + whole.length);
          assert.deepEqual(
            records.map((r) => ({ seq: r.seq, data: Buffer.from(r.message.payload) })),
            items.map((r) => ({ seq: r.seq, data: Buffer.from(r.data) })),
          );
          const ends = records.map((r) => r.message.correlation);
          assert.ok(ends.every((end, i) => i === 0 || end > (ends[i - 1] as number)));
        },
      ),
    );
  });
});
