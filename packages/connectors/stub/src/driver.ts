/**
 * The stub driver (ADR 0014): stands in for a request/response target that is
 * down. It opens any `io: req` symbol whose manifest declares `x-examples` (core's
 * examples.ts) and answers each request frame with the matching example's response under the
 * request's correlation id — the first example whose request equals it, else the first without
 * a request; with none, an answer saying so (answer.ts), so a requester never hangs. It is
 * opened with the real target's contract, so the QuickConnect handshake, which checks the
 * contract hash, accepts it in the target's place. Run as a program, this file is the driver
 * executable.
 */
import { defineConnector, findManifests, RxQueue, serveDriver } from "@rtt/connector-sdk";
import { type Contract, EXAMPLES_KEY, type Example, RttError, readExamples } from "@rtt/core";
import { answerFor, answerPayload, noExamplePayload } from "./answer.ts";

interface StubLink {
  readonly saddr: string;
  readonly type: string;
  readonly examples: readonly Example[];
  readonly answers: RxQueue;
  /** Requests no example answered (the first is logged; the rest only counted). */
  unmatched: number;
}

const declaredExamples = (contract: Contract): unknown =>
  (contract as Contract & { readonly [EXAMPLES_KEY]?: unknown })[EXAMPLES_KEY];

/** The examples of a contract, or the error that names what is wrong with them. */
function examplesOf(contract: Contract): readonly Example[] {
  const declared = declaredExamples(contract);
  if (declared === undefined)
    throw new RttError("RTT_ERR_DOC_SCHEMA", `stub driver: ${contract.saddr} has no x-examples`, {
      hint: 'declare "x-examples": [{"request": …, "response": …}] in its manifest (README: degrade modes)',
    });
  const read = readExamples(declared);
  if (!read.ok)
    throw new RttError(
      "RTT_ERR_DOC_SCHEMA",
      `stub driver: ${contract.saddr} x-examples${read.problem.path.map((p) => `[${JSON.stringify(p)}]`).join("")}: ${read.problem.message}`,
      read.problem.hint === undefined ? {} : { hint: read.problem.hint },
    );
  return read.examples;
}

export const stubConnector = defineConnector<StubLink>({
  name: "stub",
  version: "0.1.0",
  probe: (root) =>
    findManifests(root)
      .map(({ contract }) => contract)
      .filter((c) => c.io === "req" && readExamples(declaredExamples(c)).ok),
  open(symbol) {
    const examples = examplesOf(symbol);
    process.stderr.write(
      `stub driver: answering for ${symbol.saddr} from ${examples.length} example(s)\n`,
    );
    return {
      saddr: symbol.saddr,
      type: symbol.type,
      examples,
      answers: new RxQueue(),
      unmatched: 0,
    };
  },
  tx(link, bytes, { correlation }) {
    const answer = answerFor(link.examples, bytes);
    if (answer.matched) {
      link.answers.push({ payload: answerPayload(answer.example.response), correlation });
      return;
    }
    if (link.unmatched++ === 0)
      process.stderr.write(
        `stub driver: ${link.saddr}: no example matches ${JSON.stringify(answer.request.slice(0, 200))} (further misses are only counted)\n`,
      );
    link.answers.push({
      payload: noExamplePayload(link.type, link.saddr, answer.request),
      correlation,
    });
  },
  rx: (link) => link.answers.drain(),
  close(link) {
    link.answers.end();
  },
  // A stub is as healthy as its examples: it answers every request.
  health: () => ({ ok: true, lag_ms: 0 }),
});

if (import.meta.main) await serveDriver(stubConnector);
