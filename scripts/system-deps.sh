#!/usr/bin/env bash
# Install the system packages the tests use: Chromium (browser tests) and PostgreSQL (server tests).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "Cannot install ${need[*]}: run as root or install them yourself (apt-get install ${need[*]})." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
# The test setup starts its own PostgreSQL on 127.0.0.1; do not leave the packaged cluster running.
if command -v service >/dev/null; then $sudo service postgresql stop >/dev/null 2>&1 || true; fi
