// QuickConnect between the two drivers of a route, as the panel runs it in PREPARE: the target
// offers its inbound side with a handshake, the source runs SYN → ACK → BIND → READY against
// it, and only then does the flip (Bind) let data flow. Two in-process drivers for the cases,
// then two real driver processes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DriverHost, type InProcessDriver, QuickConnectError } from "@rtt/connector-sdk";
import { type Contract, contractHash, type LaneKind } from "@rtt/core";
import { eventually } from "@rtt/core/testing";
import {
  type Frame,
  FrameType,
  type LaneReader,
  type LaneWriter,
  listenReader,
  listenWriter,
  loadShm,
} from "@rtt/fabric";
import { echo } from "./fixtures/echo-driver.ts";
import { inProcessDrivers, nodeDriver, quietOptions, receive, stopAll } from "./helpers.ts";

const ECHO = "rtt://demo/api/echo@1.0.0";
const CONTRACT: Contract = {
  saddr: ECHO,
  type: "api",
  direction: "both",
  capabilities: ["json", "trace"],
};
const HASH = contractHash(CONTRACT);
const OTHER_HASH = "0".repeat(64);
const shmMissing = loadShm() === undefined ? "no shm addon" : false;

const start = inProcessDrivers();

async function pair(): Promise<{
  a: InProcessDriver<unknown>;
  b: InProcessDriver<unknown>;
  linkA: string;
  linkB: string;
}> {
  const a = (await start(echo, { heartbeatMs: 40, log: () => {} })) as InProcessDriver<unknown>;
  const b = (await start(echo, { heartbeatMs: 40, log: () => {} })) as InProcessDriver<unknown>;
  const linkA = await a.client.open(ECHO, { contract: CONTRACT });
  const linkB = await b.client.open(ECHO, { contract: CONTRACT });
  return { a, b, linkA, linkB };
}

/**
 * A pair whose B has offered its inbound on a `kind` lane with a handshake; `toB` is what of A's
 * handshake ask names that offer.
 */
async function offeredPair(kind: LaneKind) {
  const p = await pair();
  const { address, control } = await p.b.client.offerWithHandshake(p.linkB, kind);
  return { ...p, address, control, toB: { control, data: address, expectSaddr: ECHO } };
}

describe("route handshake between two in-process drivers", () => {
  for (const kind of ["inproc", "uds"] as const) {
    test(`${kind}: READY with the agreed ACK, control lanes gone, then the flip carries data`, async () => {
      const { a, b, linkA, linkB, address, control, toB } = await offeredPair(kind);
      assert.equal(address.kind, kind);
      assert.equal(control.requests.kind, kind);
      const agreed = await a.client.handshake(linkA, {
        ...toB,
        expectContractHash: HASH,
        caps: ["json", "zstd"],
        require: ["json"],
        nonce: `ready-${kind}-1`,
        timeoutMs: 2000,
      });
      assert.deepEqual(agreed, {
        nonce: `ready-${kind}-1`,
        caps: ["json"],
        lane: kind,
        capacity: 0,
        maxFrame: 16 * 1024 * 1024,
        heartbeatMs: 1000,
      });
      await eventually(() => a.runtime.handshakesActive === 0 && b.runtime.handshakesActive === 0, {
        what: "no control lane left on either driver",
      });
      // The flip: A writes the lane B offered; B echoes to the test.
      const out = await listenReader("inproc");
      await b.client.bind(linkB, { outbound: out.address });
      const got = receive(await out.accepted);
      await a.client.bind(linkA, { outbound: address });
      for (let i = 0; i < 20; i++) await a.client.tx(linkA, Buffer.from(`m${i}`));
      await eventually(() => got.data.length === 20, { what: "20 messages through A → B" });
      assert.deepEqual(
        got.data,
        Array.from({ length: 20 }, (_, i) => `m${i}`),
      );
      await a.client.close(linkA);
      await b.client.close(linkB);
    });
  }

  test("a wrong contract hash is refused with RTT_ERR_QC_REFUSED (contract-mismatch), no lane left open", async () => {
    const { a, b, linkA, linkB, toB } = await offeredPair("uds");
    const ask = {
      ...toB,
      expectContractHash: OTHER_HASH,
      nonce: "mismatch-1",
      timeoutMs: 2000,
    };
    await assert.rejects(a.client.handshake(linkA, ask), {
      code: "RTT_ERR_QC_REFUSED",
      message: /contract-mismatch/,
    });
    await eventually(() => a.runtime.handshakesActive === 0 && b.runtime.handshakesActive === 0, {
      what: "no control lane left on either driver",
    });
    // The same nonce again: the same answer, from the cache (the control lanes are gone).
    await assert.rejects(a.client.handshake(linkA, ask), {
      code: "RTT_ERR_QC_REFUSED",
      message: /contract-mismatch/,
    });
    // A fresh nonce has nothing left to talk to.
    await assert.rejects(a.client.handshake(linkA, { ...ask, nonce: "mismatch-2" }), {
      code: "RTT_ERR_QC_TRIP",
    });
    await a.client.close(linkA);
    await b.client.close(linkB);
  });

  test("a required capability the target lacks is refused with RTT_ERR_QC_REFUSED (caps-missing)", async () => {
    const { a, b, linkA, linkB, toB } = await offeredPair("inproc");
    await assert.rejects(
      a.client.handshake(linkA, {
        ...toB,
        expectContractHash: HASH,
        caps: ["json"],
        require: ["zstd"],
        nonce: "caps-missing-1",
      }),
      { code: "RTT_ERR_QC_REFUSED", message: /caps-missing/ },
    );
    await eventually(() => b.runtime.handshakesActive === 0, { what: "no control lane left" });
    await a.client.close(linkA);
    await b.client.close(linkB);
  });

  test("the same nonce again answers the same, without a second handshake", async () => {
    const { a, b, linkA, linkB, toB } = await offeredPair("inproc");
    const ask = {
      ...toB,
      expectContractHash: HASH,
      caps: ["trace"],
      nonce: "same-nonce-1",
    };
    const [first, concurrent] = await Promise.all([
      a.client.handshake(linkA, ask),
      a.client.handshake(linkA, ask),
    ]);
    const again = await a.client.handshake(linkA, ask);
    assert.deepEqual(concurrent, first);
    assert.deepEqual(again, first);
    assert.deepEqual(first.caps, ["trace"]);
    await a.client.close(linkA);
    await b.client.close(linkB);
  });

  test("a target that never answers: RTT_ERR_QC_TIMEOUT, and the control lanes are closed", async () => {
    const { a, linkA } = await pair();
    // Control lanes nobody answers on: the target's driver hung after its Offer.
    const requests = await listenReader("uds");
    const answers = await listenWriter("uds");
    const silent = { ended: false, syns: 0 };
    requests.accepted.then((r: LaneReader) => {
      r.on("frame", (f: Frame) => {
        if (f.type === FrameType.SYN) silent.syns++;
      });
      r.on("end", () => {
        silent.ended = true;
      });
      r.on("error", () => {});
    });
    const answersEnd = answers.accepted.then((w: LaneWriter) => {
      w.on("error", () => {});
      return w;
    });
    const data = await listenReader("uds");
    data.accepted.catch(() => {});
    const started = Date.now();
    await assert.rejects(
      a.client.handshake(linkA, {
        control: { requests: requests.address, answers: answers.address },
        data: data.address,
        expectSaddr: ECHO,
        expectContractHash: HASH,
        nonce: "silent-1",
        timeoutMs: 400,
      }),
      (error: unknown) => {
        assert.ok(error instanceof Error && "code" in error);
        assert.equal(error.code, "RTT_ERR_QC_TIMEOUT");
        return true;
      },
    );
    assert.ok(Date.now() - started < 2000);
    assert.ok(silent.syns >= 2, `${silent.syns} SYNs: the initiator resends`);
    await eventually(() => silent.ended, { what: "the initiator ended its control lane" });
    assert.equal(a.runtime.handshakesActive, 0);
    (await answersEnd).destroy();
    data.close();
    await a.client.close(linkA);
  });

  test("the source's link closed during its handshake: RTT_ERR_QC_TRIP (closed), lanes ended", async () => {
    const { a, linkA } = await pair();
    const requests = await listenReader("inproc");
    const answers = await listenWriter("inproc");
    const seen = { ended: false };
    requests.accepted.then((r: LaneReader) => {
      r.on("end", () => {
        seen.ended = true;
      });
    });
    const data = await listenReader("inproc");
    const pending = a.client.handshake(linkA, {
      control: { requests: requests.address, answers: answers.address },
      data: data.address,
      expectSaddr: ECHO,
      expectContractHash: HASH,
      nonce: "closed-during-1",
      timeoutMs: 10_000,
    });
    pending.catch(() => {});
    await eventually(() => a.runtime.handshakesActive === 1, {
      what: "the handshake is under way",
    });
    await a.client.close(linkA);
    await assert.rejects(pending, { code: "RTT_ERR_QC_TRIP", message: /was closed during/ });
    await eventually(() => seen.ended, { what: "the initiator ended its control lane" });
    (await answers.accepted).destroy();
    data.close();
  });

  test("a target whose link closed: RTT_ERR_QC_TRIP (peer-gone) at once", async () => {
    const { a, b, linkA, linkB, toB } = await offeredPair("uds");
    await b.client.close(linkB);
    await assert.rejects(
      a.client.handshake(linkA, {
        ...toB,
        expectContractHash: HASH,
        nonce: "closed-1",
      }),
      { code: "RTT_ERR_QC_TRIP", message: /cannot reach the control lanes/ },
    );
    assert.equal(a.runtime.handshakesActive, 0);
    await a.client.close(linkA);
  });

  test("a link closed while its offer waits releases the control lanes; BIND must name the offered lane", async () => {
    const { a, b, linkA, linkB } = await pair();
    const first = await b.client.offerWithHandshake(linkB, "inproc");
    assert.equal(b.runtime.handshakesActive, 1);
    // A BIND naming another lane than the one offered: the target refuses it.
    const elsewhere = await listenReader("inproc");
    await assert.rejects(
      a.client.handshake(linkA, {
        control: first.control,
        data: elsewhere.address,
        expectSaddr: ECHO,
        expectContractHash: HASH,
        nonce: "wrong-lane-1",
      }),
      { code: "RTT_ERR_QC_TRIP", message: /bind-failed/ },
    );
    elsewhere.close();
    await b.client.close(linkB);
    assert.equal(b.runtime.handshakesActive, 0);
    const linkB2 = await b.client.open(ECHO, { contract: CONTRACT });
    await b.client.offerWithHandshake(linkB2, "uds");
    assert.equal(b.runtime.handshakesActive, 1);
    await b.client.close(linkB2);
    assert.equal(b.runtime.handshakesActive, 0);
    await a.client.close(linkA);
  });

  test("QuickConnectError codes are the ones the driver reports", () => {
    assert.equal(
      new QuickConnectError("contract-mismatch", "peer", "x").code,
      "RTT_ERR_QC_REFUSED",
    );
    assert.equal(new QuickConnectError("timeout", "local", "x").code, "RTT_ERR_QC_TIMEOUT");
  });
});

describe("route handshake between two driver processes", () => {
  for (const kind of ["uds", "shm"] as const) {
    test(`${kind}: handshake, refusal and flip across processes`, {
      skip: kind === "shm" && shmMissing,
    }, async () => {
      const [a, b] = await Promise.all([
        DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions()),
        DriverHost.launch(nodeDriver("echo", "echo-driver.ts"), quietOptions()),
      ]);
      try {
        const [symbol] = await b.probe("/tmp");
        await a.probe("/tmp");
        const hash = symbol?.contract_hash ?? "";
        const linkA = await a.open(ECHO);
        const linkB = await b.open(ECHO);

        const refused = await b.offerWithHandshake(linkB, kind);
        await assert.rejects(
          a.handshake(linkA, {
            control: refused.control,
            data: refused.address,
            expectSaddr: ECHO,
            expectContractHash: OTHER_HASH,
            nonce: `proc-${kind}-refused`,
          }),
          { code: "RTT_ERR_QC_REFUSED", message: /contract-mismatch/ },
        );
        await b.close(linkB);

        const linkB2 = await b.open(ECHO);
        const { address, control } = await b.offerWithHandshake(linkB2, kind);
        assert.equal(control.requests.kind, "uds");
        const agreed = await a.handshake(linkA, {
          control,
          data: address,
          expectSaddr: ECHO,
          expectContractHash: hash,
          nonce: `proc-${kind}-ok`,
        });
        assert.equal(agreed.lane, kind);
        if (address.kind === "shm") assert.equal(agreed.capacity, address.capacity);

        const out = await listenReader("uds");
        await b.bind(linkB2, { outbound: out.address });
        const got = receive(await out.accepted);
        await a.bind(linkA, { outbound: address });
        for (let i = 0; i < 50; i++) await a.tx(linkA, Buffer.from(`p${i}`));
        await eventually(() => got.data.length === 50, { what: "50 messages through A → B" });
        assert.deepEqual(
          got.data,
          Array.from({ length: 50 }, (_, i) => `p${i}`),
        );
        await a.close(linkA);
        await b.close(linkB2);
      } finally {
        await stopAll([a, b]);
      }
    });
  }
});
