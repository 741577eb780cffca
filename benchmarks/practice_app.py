"""Practice app in Voila + headless Chromium: page load, kernel memory, submit-to-feedback time.

Page loads are medians of several pages, beside the same figure for stock Voila serving a
notebook of one text box and one button (the floor no Voila app can go below on this machine).
Prints JSON. Needs Debian's chromium (see tests/browser.py).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from empathy_training.serve import wait_until_ready

from browser import chromium, chromium_available, free_port, served

SUBMITS = 20
PAGES = 10
#: Pages opened one after another for each page-load median.
LOADS = 5
#: Seconds for a preheated kernel to be started and to run the notebook again.
REFILL_S = 8
#: The floor: one text box and one button, as plain as a Voila app can be.
TRIVIAL_APP = (
    "import ipywidgets as w\n"
    "w.VBox([w.Text(description='Your name'), w.Button(description='Start practising')])"
)


def open_app(browser: Any, url: str, name: str) -> tuple[Any, float]:
    """Open the app, sign in; return the page and seconds until the name box was usable."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    start = time.perf_counter()
    page.goto(url)
    page.get_by_label("Your name").wait_for(timeout=120_000)
    loaded = time.perf_counter() - start
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_label("Your response").wait_for(timeout=60_000)
    return page, loaded


def load_times(browser: Any, url: str, pool: bool) -> list[float]:
    """Seconds to interactive for LOADS pages opened one after another."""
    times = []
    for _ in range(LOADS):
        if pool:
            time.sleep(REFILL_S)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        start = time.perf_counter()
        page.goto(url)
        page.get_by_label("Your name").wait_for(timeout=120_000)
        times.append(time.perf_counter() - start)
        page.close(run_before_unload=True)
    return times


def floor(browser: Any, folder: Path, pool: bool) -> list[float]:
    """Load times of the trivial notebook on stock Voila (preheated or not)."""
    notebook = folder / "trivial.ipynb"
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.write_text(
        json.dumps(
            {
                "cells": [{**cell, "source": TRIVIAL_APP}],
                "metadata": {"kernelspec": kernel},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    port = free_port()
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}"]
    if pool:
        command += ["--preheat_kernel=True", "--pool_size=1"]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_until_ready(base)
        return load_times(browser, base, pool)
    finally:
        server.terminate()
        server.wait(timeout=30)


def summary(times: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
        "n": len(times),
    }


def submit_times(page: Any, count: int, tag: str) -> list[float]:
    """Seconds from clicking Submit until the feedback for that response is shown."""
    times = []
    box = page.get_by_label("Your response")
    feedback = page.get_by_role("region", name="Feedback")
    for i in range(count):
        marker = f"{tag}{i}x"
        box.fill(f"You're fed up and worn out by all of this {marker}")
        start = time.perf_counter()
        page.get_by_role("button", name="Submit").click()
        feedback.locator(".et-response").get_by_text(marker).wait_for(timeout=30_000)
        times.append(time.perf_counter() - start)
    return times


def kernel_rss_mb() -> list[float]:
    """RSS of each kernel started by the server this script started, in MB."""
    sizes = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "ipykernel" in " ".join(process.cmdline()):
                sizes.append(process.memory_info().rss / 1e6)
        except psutil.NoSuchProcess:
            continue
    return sizes


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(pool: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'bench.db'}"
        extra = {} if pool else {"EMPATHY_TRAINING_PREHEAT": "0"}
        with served(db, env=extra) as base, chromium() as browser:
            url = f"{base}practice"
            if pool:
                time.sleep(8)  # let the preheated kernels finish running the notebook
            loads = load_times(browser, url, pool)
            page, first_load = open_app(browser, url, "bench-0")
            times = submit_times(page, SUBMITS, "single")
            kernels = kernel_rss_mb()
            page.close(run_before_unload=True)
            result: dict[str, Any] = {
                "preheated": pool,
                "page_load_to_interactive_s": summary([*loads, first_load]),
                "submit_to_feedback_ms": {
                    "p50": round(statistics.median(times) * 1000, 1),
                    "p95": round(p95(times) * 1000, 1),
                    "n": len(times),
                },
                "kernel_rss_mb_max": round(max(kernels), 1) if kernels else None,
                "kernels": len(kernels),
            }
            if not pool:
                return result
            pages = []
            loads = []
            for i in range(PAGES):
                page, load = open_app(browser, url, f"bench-{i + 1}")
                pages.append(page)
                loads.append(load)
            all_times: list[float] = []
            # Submit on each page in turn: all ten kernels stay alive and each page waits
            # for its own feedback.
            for round_no in range(3):
                for i, page in enumerate(pages):
                    all_times.extend(submit_times(page, 1, f"p{i}r{round_no}"))
            kernels = kernel_rss_mb()
            result["ten_pages"] = {
                "page_load_to_interactive_s_median": round(statistics.median(loads), 3),
                "submit_to_feedback_ms_p95": round(p95(all_times) * 1000, 1),
                "kernels": len(kernels),
                "kernel_rss_mb_total": round(sum(kernels), 1),
                "kernel_rss_mb_max": round(max(kernels), 1) if kernels else None,
            }
            for page in pages:
                page.close(run_before_unload=True)
            return result


def voila_floor() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, chromium() as browser:
        return {
            "cold_s": summary(floor(browser, Path(folder), pool=False)),
            "preheated_s": summary(floor(browser, Path(folder), pool=True)),
        }


def main() -> None:
    if not chromium_available():
        print(json.dumps({"skipped": "Debian's chromium is not installed"}))
        return
    figures = {
        "cold": measure(pool=False),
        "preheated": measure(pool=True),
        "stock_voila_trivial_app": voila_floor(),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
