/**
 * @rtt/connector-stub — the degrade-mode driver (ADR 0014): it opens any
 * request/response symbol whose manifest declares `x-examples` and answers each request on
 * the route with the matching example's response, in place of a target that is down. The
 * panel moves a route here when its breaker opens and no failover target exists. The
 * executable is src/driver.ts.
 */
export { type Answer, answerFor, answerPayload, noExamplePayload } from "./answer.ts";
export { stubConnector } from "./driver.ts";
