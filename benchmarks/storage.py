"""Attempts stored per second on SQLite and PostgreSQL, one writer and a room of 40, as JSON.

Usage: python benchmarks/storage.py [--single N] [--trainees N] [--attempts N]

Both databases keep their durable defaults (SQLite synchronous=FULL in WAL mode, PostgreSQL
with fsync on), so the figures are what a workshop gets. PostgreSQL runs as a throwaway server
in a temporary directory, like the tests' one; without its binaries the PostgreSQL entry says
why it was skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from empathy_training.storage import Store

from pgserver import PostgresServer, find_bin_dir
from workload import run_trainees, small_assessment


def single_writer(url: str, count: int) -> dict[str, Any]:
    """One trainee submitting `count` attempts back to back."""
    store = Store(url)
    trainee = store.trainee("Single writer")
    latencies = []
    began = time.perf_counter()
    for number in range(count):
        response = f"It sounds like attempt {number} matters to you."
        start = time.perf_counter()
        store.record_attempt(
            trainee.id,
            vignette_id="vignette-0",
            module_id="load",
            response=response,
            assessment=small_assessment(response),
            client_attempt_id=f"single-{number}",
        )
        latencies.append(time.perf_counter() - start)
    elapsed = time.perf_counter() - began
    store.close()
    return {
        "attempts": count,
        "attempts_per_s": round(count / elapsed, 1),
        "latency_ms_median": round(statistics.median(latencies) * 1000, 2),
        "latency_ms_p95": round(statistics.quantiles(latencies, n=20)[-1] * 1000, 2),
    }


def room(url: str, trainees: int, attempts: int) -> dict[str, Any]:
    """`trainees` processes submitting `attempts` each, released at the same moment."""
    reports = run_trainees(url, trainees=trainees, attempts=attempts)
    elapsed = max(r.finished for r in reports) - min(r.started for r in reports)
    total = trainees * attempts
    stored = len(Store(url).attempts())
    return {
        "writers": trainees,
        "attempts": total,
        "stored": stored,
        "seconds": round(elapsed, 2),
        "attempts_per_s": round(total / elapsed, 1),
    }


def measure(url_for: Any, args: argparse.Namespace) -> dict[str, Any]:
    """Both figures, each on a fresh database from `url_for(name)`."""
    return {
        "single_writer": single_writer(url_for("single"), args.single),
        f"concurrent_{args.trainees}_writers": room(url_for("room"), args.trainees, args.attempts),
    }


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=500, help="attempts by the single writer")
    parser.add_argument("--trainees", type=int, default=40, help="concurrent writers")
    parser.add_argument("--attempts", type=int, default=25, help="attempts per writer")
    args = parser.parse_args()
    result: dict[str, Any] = {"cpus": os.cpu_count(), "sqlite_version": sqlite3.sqlite_version}
    with tempfile.TemporaryDirectory() as directory:
        result["sqlite"] = measure(lambda name: f"sqlite:///{directory}/{name}.db", args)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        result["postgresql"] = "skipped: PostgreSQL is not installed (initdb not found)"
    else:
        with PostgresServer(bin_dir, fast=False) as server:
            result["postgresql"] = measure(server.create_database, args)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
