"""Running a connector as a driver process (docs/connectors.md, "The wire protocol"): the
cookie, the protocol version, the gRPC service on a private Unix socket, the handshake line on
descriptor 3, and then the host's presence — its stdin pipe or a Health stream — with a grace
period once both are gone."""

import os
import secrets
import signal
import stat
import sys
import threading
import time

from . import lanes
from .runtime import Runtime
from .service import Service, start_server

COOKIE_ENV = "RTT_DRIVER_COOKIE"
COOKIE_VALUE = "rtt-connector-driver-v1-5f0c9a8e6b7d4c1a"
PROTOCOL_VERSIONS = (1,)
SDK_VERSION = "0.1.0"
HANDSHAKE_FD = 3


class _Quiet:
    """stdout/stderr that never raise: after a panel restart they are pipes to a dead process,
    and a `print` must not fail the call that made it (EPIPE is swallowed, not fatal)."""

    def __init__(self, stream):
        self._s = stream

    def write(self, text):
        try:
            n = self._s.write(text)
            self._s.flush()
            return n
        except (OSError, ValueError):
            return len(text)

    def flush(self):
        try:
            self._s.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name):
        return getattr(self._s, name)


def _ms(name, default):
    raw = os.environ.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def _start_time():
    """Field 22 of /proc/self/stat: clock ticks since boot when this process started."""
    try:
        with open(f"/proc/{os.getpid()}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


class Presence:
    """Whether a host is attached; when none is for the grace period, `on_gone` runs."""

    def __init__(self, grace_s, on_gone, log):
        self._grace_s, self._on_gone, self._log = grace_s, on_gone, log
        self._stdin_open, self._watches = True, 0
        self._timer = None
        self._lock = threading.Lock()

    def stdin_closed(self):
        with self._lock:
            self._stdin_open = False
            self._update()

    def watch(self, delta):
        with self._lock:
            self._watches = max(0, self._watches + delta)
            self._update()

    def activity(self):
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._arm()

    def _arm(self):
        self._timer = threading.Timer(self._grace_s, self._on_gone)
        self._timer.daemon = True
        self._timer.start()

    def _update(self):
        if self._stdin_open or self._watches > 0:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
                self._log("host attached again")
        elif self._timer is None:
            self._log(f"host gone; keeping links for {int(self._grace_s * 1000)} ms for a host to re-attach")
            self._arm()


def _refuse(code, message):
    try:
        os.write(HANDSHAKE_FD, f"RTT-REFUSED|{code}|{message}\n".encode())
    except OSError:
        pass
    sys.stderr.write(f"{message} ({code})\n")
    sys.exit(1)


def serve(connector):
    """Serves `connector` as a driver process; returns only by exiting the process."""
    sys.stdout, sys.stderr = _Quiet(sys.stdout), _Quiet(sys.stderr)

    def log(line):
        sys.stderr.write(f"rtt driver: {line}\n")

    if os.environ.get(COOKIE_ENV) != COOKIE_VALUE:
        sys.stderr.write(
            f'This program is an RTT connector driver ("{connector.name}" {connector.version}); '
            "it is not meant to be run by hand.\nAn RTT host starts it (the panel, `rtt apply`) with "
            f"{COOKIE_ENV} set, and reads its handshake line on file descriptor {HANDSHAKE_FD}.\n"
            "docs/connectors.md describes the protocol. (RTT_ERR_DRIVER_COOKIE)\n"
        )
        sys.exit(1)
    try:
        mode = os.fstat(HANDSHAKE_FD).st_mode
        fd_ok = stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
    except OSError:
        fd_ok = False
    if not fd_ok:
        sys.stderr.write(f'rtt driver "{connector.name}": no file descriptor 3 to write the handshake to (RTT_ERR_DRIVER_HANDSHAKE)\n')
        sys.exit(1)
    raw = os.environ.get("RTT_PROTOCOL_VERSIONS", "")
    offered = [int(v) for v in raw.split(",") if v.strip().isdigit()]
    common = [v for v in offered if v in PROTOCOL_VERSIONS]
    if not common:
        _refuse(
            "RTT_ERR_DRIVER_VERSION",
            f'driver "{connector.name}" speaks protocol versions {", ".join(map(str, PROTOCOL_VERSIONS))}, '
            f"but the host offered {raw or 'none'}: no version in common",
        )
    version = max(common)
    runtime = Runtime(connector, _ms("RTT_HEARTBEAT_MS", 250), log)
    try:
        folder = os.environ.get("RTT_DRIVER_SOCKET_DIR") or None
        path = lanes.new_socket_path(f"driver-{connector.name}", folder)
    except (lanes.LaneError, OSError) as e:
        _refuse("RTT_ERR_LANE_ADDRESS", str(e))
    nonce, start_time, started_at = secrets.token_hex(16), _start_time(), int(time.time() * 1000)
    done = threading.Event()

    def stop(why):
        if done.is_set():
            return
        done.set()
        n = runtime.dispose()
        log(f"{why}; {f'closed {n} links, ' if n else ''}exiting")
        try:
            os.unlink(path)
        except OSError:
            pass
        os._exit(0)

    presence = Presence(_ms("RTT_DRIVER_GRACE_MS", 10_000) / 1000, lambda: stop("no host re-attached in the grace period"), log)

    def info(links):
        return dict(
            name=connector.name, version=connector.version, protocol_version=version,
            protocol_versions=list(PROTOCOL_VERSIONS), pid=os.getpid(), start_time=start_time,
            nonce=nonce, socket=path, started_at_unix_ms=started_at, links=links, sdk_version=SDK_VERSION,
        )

    def shutdown(why):
        threading.Timer(0.05, stop, (why,)).start()  # let the answer reach the host first

    service = Service(runtime, info, presence, shutdown)
    # Held for the process's life: a collected grpc.Server shuts down and unlinks its socket.
    server = start_server(service, connector.name, path, presence.activity)
    line = f"RTT|1|{version}|unix|{path}|grpc|{os.getpid()}|{start_time}|{nonce}\n"
    os.write(HANDSHAKE_FD, line.encode())
    os.close(HANDSHAKE_FD)

    def watch_stdin():
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        presence.stdin_closed()

    threading.Thread(target=watch_stdin, daemon=True, name="rtt-stdin").start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: threading.Thread(target=stop, args=(signal.Signals(signum).name,)).start())
    while server is not None:
        done.wait(1)  # a timed wait, so signals reach their handlers; stop() exits the process
