#!/usr/bin/env bash
# Formatting, lint and types.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff format --check src tests benchmarks scripts
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
