#!/usr/bin/env bash
# Everything the test suite needs besides Deno: Redis and PostgreSQL running on 127.0.0.1
# (started when installed but stopped) and Chromium for the dashboard's browser test
# (installed from Debian's packages when missing). Idempotent: fast when all is in place.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing chromium (Debian package) for the dashboard browser test"
    apt-get install -y -qq chromium >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  else
    echo "setup: chromium is missing and cannot be installed here (need root and apt-get);" \
      "the dashboard browser test will fail" >&2
  fi
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "setup: starting redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile /tmp/redis-ci.log
  fi
fi
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "setup: starting postgresql"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && pg_isready -h 127.0.0.1 >/dev/null 2>&1 && break
  sleep 1
done
