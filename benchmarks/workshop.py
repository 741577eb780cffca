"""Workshop figures as JSON: dashboard update latency with 40 writers, server memory per page.

Usage: python benchmarks/workshop.py [--trainees N] [--attempts N] [--pages N]

The dashboard latency is the time from an attempt's commit to the dashboard having drawn it,
with the dashboard polling once a second (as in the app) while the trainees write. Memory is
the resident size of the Voila server and its kernels with N practice pages open in headless
Chromium, and the estimate for 40 pages from the per-kernel figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from empathy_training.loading import load_library
from empathy_training.passcode import set_passcode
from empathy_training.storage import Store
from empathy_training.ui.dashboard import DashboardApp

from browser import chromium, chromium_available, served
from workload import run_trainees

POLL_SECONDS = 1.0


def dashboard_latency(url: str, trainees: int, attempts: int) -> dict[str, Any]:
    """Seconds from commit to the dashboard's next drawing that includes the attempt."""
    store = Store(url)
    set_passcode(store, "benchmark")
    library = load_library()
    # the vignettes the simulated trainees answer, so that every summary has work to do
    workshop = store.create_workshop("Benchmark room", [f"vignette-{n}" for n in range(6)])
    app = DashboardApp(store, library, poll_seconds=0)
    app.unlock("benchmark")
    app.open_workshop(workshop.id)
    seen_at: dict[int, float] = {}
    last = [0.0]

    def poll() -> None:
        now = time.time()
        if now - last[0] < POLL_SECONDS:
            return
        last[0] = now
        app.refresh()
        drawn = time.time()
        assert app.room is not None
        for submission in app.room.submissions:
            seen_at.setdefault(submission.id, drawn)

    run_trainees(
        url, trainees=trainees, attempts=attempts, workshop_id=workshop.id, while_waiting=poll
    )
    deadline = time.time() + 5
    while time.time() < deadline and len(seen_at) < trainees * attempts:
        time.sleep(0.05)
        poll()
    stored = store.attempts(workshop_id=workshop.id)
    latencies = [seen_at[a.id] - a.created_at.timestamp() for a in stored if a.id in seen_at]
    store.close()
    return {
        "writers": trainees,
        "attempts": len(stored),
        "seen_by_dashboard": len(seen_at),
        "poll_interval_s": POLL_SECONDS,
        "latency_s_median": round(statistics.median(latencies), 3),
        "latency_s_p95": round(statistics.quantiles(latencies, n=20)[-1], 3),
        "latency_s_max": round(max(latencies), 3),
    }


def tree_rss_mb(root: psutil.Process) -> tuple[float, list[float]]:
    """RSS of a process and of each kernel below it, in MB."""
    server = root.memory_info().rss / 1e6
    kernels = []
    for child in root.children(recursive=True):
        try:
            rss = child.memory_info().rss / 1e6
            if "ipykernel" in " ".join(child.cmdline()):
                kernels.append(rss)
            else:
                server += rss
        except psutil.NoSuchProcess:
            continue
    return server, kernels


def server_memory(pages: int) -> dict[str, Any]:
    """Memory of the server and kernels with `pages` practice pages open and signed in."""
    if pages <= 0:
        return {"skipped": "--pages 0"}
    if not chromium_available():
        return {"skipped": "Debian's chromium is not installed"}
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'memory.db'}"
        with served(db) as base, chromium() as browser:
            root = next(
                p
                for p in psutil.Process().children(recursive=True)
                if "voila" in " ".join(p.cmdline())
            )
            opened = []
            for n in range(pages):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"{base}practice")
                page.get_by_label("Your name").fill(f"Trainee {n}", timeout=120_000)
                page.get_by_role("button", name="Start practising").click()
                page.get_by_label("Your response").wait_for(timeout=60_000)
                opened.append(page)
            time.sleep(2)
            server, kernels = tree_rss_mb(root)
            for page in opened:
                page.close(run_before_unload=True)
    per_kernel = statistics.median(kernels) if kernels else 0.0
    return {
        "pages": pages,
        "kernels": len(kernels),
        "server_mb": round(server, 1),
        "kernel_mb_median": round(per_kernel, 1),
        "total_mb": round(server + sum(kernels), 1),
        "estimate_40_pages_mb": round(server + 40 * per_kernel, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--attempts", type=int, default=25)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'workshop.db'}"
        latency = dashboard_latency(url, args.trainees, args.attempts)
    result = {"dashboard_sqlite": latency, "server_memory": server_memory(args.pages)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
