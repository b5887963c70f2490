"""Lanes over a byte stream: a Unix socket (uds) or a loopback TCP socket. A lane address is a
dict shaped as in QuickConnect's BIND: {"kind": "uds", "path": ...} or {"kind": "tcp", "host":
..., "port": ...}. The listening end takes exactly one peer of our uid (or one listed in
RTT_ALLOW_UIDS), then stops listening and removes its socket file."""

import ipaddress
import os
import secrets
import socket
import stat
import struct
import threading
import time

from . import frames

MAX_SUN_PATH = 107


class LaneError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def allowed_uids():
    uids = {os.getuid()}
    for part in os.environ.get("RTT_ALLOW_UIDS", "").split(","):
        if part.strip().isdigit():
            uids.add(int(part))
    return uids


def private_dir(path):
    """Makes `path` a 0700 folder of ours, or refuses one that is not (another user's socket
    folder would let them replace our sockets)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise LaneError("RTT_ERR_LANE_ADDRESS", f"socket folder {path} is not a private folder of ours")
    return path


def socket_dir():
    return os.environ.get("TMPDIR", "/tmp").rstrip("/") + f"/rtt-{os.getuid()}"


def new_socket_path(prefix="lane", folder=None):
    """An unguessable socket path in a private folder; the short per-user one when too long."""
    name = f"{prefix}-{os.getpid()}-{secrets.token_hex(6)}.sock"
    wanted = os.path.join(folder or socket_dir(), name)
    if len(wanted.encode()) > MAX_SUN_PATH:
        runtime = os.environ.get("XDG_RUNTIME_DIR", "")
        short = os.path.join(runtime, "rtt") if runtime.startswith("/") else f"/tmp/rtt-{os.getuid()}"
        wanted = os.path.join(short, name)
    private_dir(os.path.dirname(wanted))
    return wanted


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tcp_peer_uid(local, peer):
    """The uid owning the peer's end of a loopback connection, from /proc/net/tcp (or None)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 7 and int(cols[1].split(":")[1], 16) == peer[1] and int(cols[2].split(":")[1], 16) == local[1]:
                return int(cols[7])
    return None


def _admit(conn, kind):
    try:
        if kind == "uds":
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            uid = struct.unpack("3i", creds)[1]
        else:
            uid = _tcp_peer_uid(conn.getsockname(), conn.getpeername())
    except OSError:
        return False
    return uid in allowed_uids()


class Listener:
    """Listens on a fresh address for one lane peer; `accept()` blocks until it comes."""

    def __init__(self, kind, folder=None):
        if kind == "uds":
            self.path = new_socket_path("lane", folder)
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)
            try:
                self.sock.bind(self.path)
            finally:
                os.umask(old)
            self.address = {"kind": "uds", "path": self.path}
        elif kind == "tcp":
            self.path = None
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.address = {"kind": "tcp", "host": "127.0.0.1", "port": self.sock.getsockname()[1]}
        else:
            raise LaneError("RTT_ERR_LANE_ADDRESS", f"this driver makes uds and tcp lanes, not {kind!r}")
        self.kind = kind
        self.sock.listen(4)

    def accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError as e:
                raise LaneError("RTT_ERR_LANE_CLOSED", "lane listener closed before a peer connected") from e
            if _admit(conn, self.kind):
                self.close()
                return conn
            conn.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        if self.path is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass


def connect(address):
    kind = address.get("kind")
    try:
        if kind == "uds":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(address["path"])
            return s
        if kind == "tcp":
            if not is_loopback(address["host"]):
                raise LaneError("RTT_ERR_LANE_ADDRESS", f"tcp lane refused {address['host']!r}: loopback only")
            s = socket.create_connection((address["host"], address["port"]))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return s
    except OSError as e:
        raise LaneError("RTT_ERR_LANE_PEER_GONE", f"cannot connect to lane {address}: {e}") from e
    raise LaneError("RTT_ERR_LANE_ADDRESS", f"this driver reaches uds and tcp lanes, not {kind!r}")


class Writer:
    """The writing end of a lane: numbers frames from 1 (heartbeats and EOS take a number too)."""

    def __init__(self, sock, kind):
        self.sock, self.kind = sock, kind
        self.seq = 0
        self.frames = 0
        self.lock = threading.Lock()
        self.dead = False

    def write(self, payload, ftype=frames.DATA, correlation=0, flags=0):
        with self.lock:
            if self.dead:
                raise LaneError("RTT_ERR_LANE_PEER_GONE", f"{self.kind} lane: the peer went away")
            self.seq += 1
            try:
                self.sock.sendall(frames.encode(ftype, self.seq, payload, correlation, flags))
            except OSError as e:
                self.seq -= 1
                self.dead = True
                raise LaneError("RTT_ERR_LANE_PEER_GONE", f"{self.kind} lane: the peer went away ({e})") from e
            if ftype == frames.DATA:
                self.frames += 1

    def heartbeat(self):
        self.write(struct.pack("<Q", time.monotonic_ns()), frames.HEARTBEAT)

    def end(self, wait_s=2.0):
        """EOS, then waits (a while) for the reader to hang up. Returns EOS's sequence number."""
        with self.lock:
            if self.dead:
                return self.seq
            self.dead = True
            self.seq += 1
            try:
                self.sock.sendall(frames.encode(frames.EOS, self.seq))
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.settimeout(wait_s)
                while self.sock.recv(4096):
                    pass
            except OSError:
                pass
            self.sock.close()
            return self.seq

    def destroy(self):
        self.dead = True
        try:
            self.sock.close()
        except OSError:
            pass


class Reader:
    """The reading end of a lane, on a thread of its own: `on_frame(frame)` for each DATA frame,
    in order; then `on_end(error)` once (None after EOS)."""

    def __init__(self, sock, kind, on_frame, on_end, on_heartbeat=None):
        self.sock, self.kind = sock, kind
        self._on_frame, self._on_end, self._on_heartbeat = on_frame, on_end, on_heartbeat
        self._closed = False
        threading.Thread(target=self._run, daemon=True, name=f"rtt-{kind}-reader").start()

    def _run(self):
        decoder = frames.Decoder()
        error = None
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    error = "connection closed before EOS"
                    break
                for f in decoder.push(chunk):
                    if f.type == frames.EOS:
                        self._finish(None)
                        return
                    if f.type == frames.DATA:
                        self._on_frame(f)
                    elif f.type == frames.HEARTBEAT and self._on_heartbeat is not None:
                        self._on_heartbeat(f)
        except (OSError, frames.FrameError) as e:
            error = str(e)
        self._finish(None if self._closed else error)

    def _finish(self, error):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.sock.close()
        self._on_end(error)

    def close(self):
        self._closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
