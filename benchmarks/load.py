"""A room's worth of pages against `serve`: kernels, memory and failures, printed as JSON.

Usage: python benchmarks/load.py [--pages 60] [--cycles 30] [--max-pages 50]

1. `--pages` simultaneous loads of the practice page (plain HTTP, as many browsers opening the
   link at once): how many rendered, how many were told "the room is full", how many failed
   otherwise, and the server's memory (Voila and its kernels) after them.
2. `--cycles` times: a real Chromium page opens the practice app, waits until it is ready, and
   leaves: kernels and memory after the cycles and a minute later, against the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from empathy_training.voila_app import MAX_PAGES_ENV  # noqa: E402

from browser import chromium, served, server_processes  # noqa: E402


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _snapshot(port: int) -> dict[str, Any]:
    voila, kernels = server_processes(port)
    return {"kernels": len(kernels), "rss_mb": _rss_mb([*voila, *kernels])}


def _load(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=180) as reply:
            reply.read()
            return "rendered" if reply.status == 200 else f"status {reply.status}"
    except urllib.error.HTTPError as exc:
        return "room full" if exc.code == 503 else f"status {exc.code}"
    except OSError as exc:
        return f"failed: {type(exc).__name__}"


def run(pages: int, cycles: int, max_pages: int) -> dict[str, Any]:
    """Both parts against one fresh server."""
    result: dict[str, Any] = {"max_pages": max_pages}
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{Path(folder) / 'load.db'}"
        with served(db, env={MAX_PAGES_ENV: str(max_pages)}) as base:
            port = int(base.rsplit(":", 1)[1].strip("/"))
            url = f"{base}practice"
            time.sleep(5)
            result["baseline"] = _snapshot(port)
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=pages) as pool:
                outcomes = list(pool.map(_load, [url] * pages))
            result["simultaneous"] = {
                "pages": pages,
                "seconds": round(time.monotonic() - started, 1),
                "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
                "after": _snapshot(port),
            }
        with served(db, env={MAX_PAGES_ENV: str(max_pages)}) as base, chromium() as browser:
            port = int(base.rsplit(":", 1)[1].strip("/"))
            url = f"{base}practice"
            time.sleep(5)
            baseline = _snapshot(port)
            failures = 0
            for _ in range(cycles):
                page = browser.new_page()
                try:
                    page.goto(url)
                    page.get_by_label("Your name").wait_for(timeout=60_000)
                    page.goto("about:blank")
                except Exception:  # a failed cycle is counted, not fatal
                    failures += 1
                finally:
                    page.close(run_before_unload=True)
            after = _snapshot(port)
            time.sleep(60)
            result["open_close"] = {
                "cycles": cycles,
                "failures": failures,
                "baseline": baseline,
                "after_cycles": after,
                "a_minute_later": _snapshot(port),
            }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--max-pages", type=int, default=50)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.pages, args.cycles, args.max_pages), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
