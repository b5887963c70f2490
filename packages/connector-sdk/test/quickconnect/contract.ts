/** The contract both ends of the switch-under-load test agree on. */
import { canonicalHash } from "@rtt/core";

export const CONTRACT_HASH = canonicalHash({ saddr: "rtt://test/api/sink@1.0.0", type: "api" });
