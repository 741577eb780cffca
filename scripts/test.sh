#!/usr/bin/env bash
# Set up everything and run every check: ruff, mypy, the test suite (PostgreSQL and browser included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh
scripts/setup.sh dev
scripts/check.sh
.venv/bin/python -m pytest "$@"
