"""The command line run as a user runs it: a real process, its exit code and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m empathy_training ARGS`, with its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "empathy_training", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )
