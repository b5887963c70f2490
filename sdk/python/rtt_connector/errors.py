"""Errors that cross the wire: the RTT code rides in the `rtt-error-code` trailer and the hint
in `rtt-error-hint`, with the gRPC status the catalog gives the code (docs/errors.md), so the
host rethrows the same error."""


class RttError(Exception):
    """Raise one from your connector's functions to choose the code the host sees."""

    def __init__(self, code, message, hint=None):
        super().__init__(message)
        self.code, self.hint = code, hint


# The gRPC status of each code this SDK sends (packages/core/src/errors.ts); others: INTERNAL.
STATUS = {
    "RTT_ERR_DRIVER_LINK": "NOT_FOUND",
    "RTT_ERR_LANE_ADDRESS": "INVALID_ARGUMENT",
    "RTT_ERR_LANE_PEER_GONE": "FAILED_PRECONDITION",
    "RTT_ERR_LANE_CLOSED": "FAILED_PRECONDITION",
    "RTT_ERR_QC_REFUSED": "FAILED_PRECONDITION",
    "RTT_ERR_QC_TRIP": "FAILED_PRECONDITION",
    "RTT_ERR_QC_TIMEOUT": "DEADLINE_EXCEEDED",
    "RTT_ERR_QC_MALFORMED": "INVALID_ARGUMENT",
    "RTT_ERR_TOKEN": "PERMISSION_DENIED",
    "RTT_ERR_DOC_SYNTAX": "INVALID_ARGUMENT",
    "RTT_ERR_SADDR_FORM": "INVALID_ARGUMENT",
}


def call_failed(driver, fn, error):
    """What an author's function raised, as the host will see it."""
    if isinstance(error, RttError):
        return error
    return RttError("RTT_ERR_DRIVER_CALL", f'connector "{driver}": {fn} failed: {type(error).__name__}: {error}')
