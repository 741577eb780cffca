#!/usr/bin/env bash
# Create .venv and install the package with the extras given (default: none). Installs again
# when pyproject.toml changed.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=".venv/.installed${extras:+-$extras}"
sources=(pyproject.toml)
if [ ! -f "$stamp" ] || [ -n "$(find "${sources[@]}" -newer "$stamp")" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    touch "$stamp"
fi
# Compile the package's bytecode now, so that every app kernel starts without compiling it
# (an editable install is otherwise compiled on each import when bytecode writing is off).
.venv/bin/python -m compileall -q src/empathy_training >/dev/null
