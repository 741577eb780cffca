#!/usr/bin/env bash
# Set up the environment and serve the practice app on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/empathy-training serve "$@"
