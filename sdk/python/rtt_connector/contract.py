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
        return _number(value)
    return json.dumps(value, ensure_ascii=False)


def _number(x):
    """A double as ECMAScript's Number::toString writes it (RFC 8785 §3.2.2.3), from the
    shortest round-tripping digits Python's repr finds."""
    if not math.isfinite(x):
        raise ValueError("a contract holds no NaN or Infinity")
    if x == 0:
        return "0"
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    every = whole + frac
    lead = len(every) - len(every.lstrip("0"))
    digits = every.strip("0")
    k, n = len(digits), len(whole) + int(exp or 0) - lead  # x = 0.digits * 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return ("-" if x < 0 else "") + text


def contract_hash(contract):
    out = {k: v for k, v in contract.items() if k != "tags" and not k.startswith("x-")}
    given = lambda key, default: default if contract.get(key) is None else contract[key]  # noqa: E731
    out["capabilities"] = sorted(set(given("capabilities", [])))
    out["inputs"] = given("inputs", [])
    out["outputs"] = given("outputs", [])
    out["qos"] = given("qos", {})
    out["auth"] = given("auth", {"mode": "none"})
    return hashlib.sha256(_canonical(out).encode("utf-8")).hexdigest()
