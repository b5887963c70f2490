"""A contract's hash, as the panel computes it (contractOf and canonicalHash in packages/core):
SHA-256 of the RFC 8785 canonical JSON of the contract without `tags` and `x-` keys, with the
defaults the catalog fills in. A target checks a SYN's contract_hash against this."""

import hashlib
import json
import math


def _canonical(value):
    if isinstance(value, dict):
        # RFC 8785 orders keys by their UTF-16 code units.
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _canonical(v) for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a contract holds no NaN or Infinity")
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def contract_hash(contract):
    out = {k: v for k, v in contract.items() if k != "tags" and not k.startswith("x-")}
    given = lambda key, default: default if contract.get(key) is None else contract[key]  # noqa: E731
    out["capabilities"] = sorted(set(given("capabilities", [])))
    out["inputs"] = given("inputs", [])
    out["outputs"] = given("outputs", [])
    out["qos"] = given("qos", {})
    out["auth"] = given("auth", {"mode": "none"})
    return hashlib.sha256(_canonical(out).encode("utf-8")).hexdigest()
