#!/usr/bin/env bash
# Installs what the tests need from Debian beyond npm: python3-grpcio (with python3-protobuf), for
# test/api/panel_client.py, the panel API's Python client test. Idempotent and silent when it is
# there already; never fails the caller: when it cannot install (not root, no apt-get, no network)
# it prints one line and the Python test skips with the same reason.
set -u

PACKAGE=python3-grpcio

# Debian's packages serve Debian's interpreter, whatever `python3` is first on PATH.
if /usr/bin/python3 -c 'import grpc, google.protobuf' >/dev/null 2>&1; then
  exit 0
fi

why=""
if ! command -v apt-get >/dev/null 2>&1; then
  why="no apt-get on this machine"
elif [ "$(id -u)" != "0" ]; then
  why="not root (run: sudo apt-get install -y --no-install-recommends $PACKAGE)"
fi
if [ -n "$why" ]; then
  echo "ensure-test-deps: cannot install $PACKAGE: $why; the Python client test will skip" >&2
  exit 0
fi

install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$PACKAGE" \
    >>/tmp/rtt-ensure-test-deps.log 2>&1
}
# A stale package list is the usual reason an install fails: refresh it only then.
if ! install; then
  if ! { apt-get update -q >>/tmp/rtt-ensure-test-deps.log 2>&1 && install; }; then
    echo "ensure-test-deps: apt-get install $PACKAGE failed (see /tmp/rtt-ensure-test-deps.log); the Python client test will skip" >&2
    exit 0
  fi
fi
echo "ensure-test-deps: installed $PACKAGE" >&2
