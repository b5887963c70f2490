#!/usr/bin/env bash
# Installs what the tests need from Debian beyond npm:
# - python3-grpcio (with python3-protobuf), for test/api/panel_client.py, the panel API's Python
#   client test, and for sdk/python, the Python connector SDK (its tests and example drivers);
# - bubblewrap, the `bwrap` the driver sandbox runs drivers in (docs/adr/0023-driver-sandbox.md;
#   test/e2e/sandbox.test.ts);
# - chromium, the browser test/e2e/ui.test.ts drives (with playwright-core) against `rtt ui`;
# - zsh and fish, whose completion scripts packages/cli/src/completion/completion.test.ts runs;
# - jq, one of the ordinary programs docs/tutorial.md wires (test/e2e/tutorial.test.ts);
# - nats-server, the NATS server the nats connector's tests start on a free loopback port
#   (docs/adr/0032-nats-bus.md; test/support/nats-server.ts).
# Idempotent and silent when they are there already; never fails the caller: when it cannot
# install (not root, no apt-get, no network) it prints one line per package and the tests that
# need it skip with the same reason.
set -u

missing=()
# Debian's packages serve Debian's interpreter, whatever `python3` is first on PATH.
if ! /usr/bin/python3 -c 'import grpc, google.protobuf' >/dev/null 2>&1; then
  missing+=("python3-grpcio:the Python client and Python connector SDK tests")
fi
if ! command -v bwrap >/dev/null 2>&1; then
  missing+=("bubblewrap:the bwrap sandbox tests")
fi
if [ ! -x /usr/bin/chromium ]; then
  missing+=("chromium:the rtt ui browser test")
fi
if ! command -v jq >/dev/null 2>&1; then
  missing+=("jq:the tutorial test")
fi
# Debian puts it in /usr/sbin, which a user's PATH may lack.
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  missing+=("nats-server:the nats connector tests")
fi
for shell in zsh fish; do
  if ! command -v "$shell" >/dev/null 2>&1; then
    missing+=("$shell:the $shell completion test")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

why=""
if ! command -v apt-get >/dev/null 2>&1; then
  why="no apt-get on this machine"
elif [ "$(id -u)" != "0" ]; then
  why="not root"
fi

install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" \
    >>/tmp/rtt-ensure-test-deps.log 2>&1
}

refreshed=""
for entry in "${missing[@]}"; do
  package="${entry%%:*}"
  tests="${entry#*:}"
  if [ -n "$why" ]; then
    echo "ensure-test-deps: cannot install $package: $why (run: sudo apt-get install -y --no-install-recommends $package); $tests will skip" >&2
    continue
  fi
  # A stale package list is the usual reason an install fails: refresh it only then, once.
  if ! install "$package"; then
    if [ -n "$refreshed" ] || ! { apt-get update -q >>/tmp/rtt-ensure-test-deps.log 2>&1 && install "$package"; }; then
      refreshed=yes
      echo "ensure-test-deps: apt-get install $package failed (see /tmp/rtt-ensure-test-deps.log); $tests will skip" >&2
      continue
    fi
    refreshed=yes
  fi
  echo "ensure-test-deps: installed $package" >&2
done
exit 0
