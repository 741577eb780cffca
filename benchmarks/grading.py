"""Grading figures, printed as JSON: scoring and showing 5,000 responses, 200 feedback reports.

Usage: python benchmarks/grading.py [--rows N] [--reports N]

Builds the grading app on a throwaway SQLite file, feeds it a generated CSV (the upload a
browser would send), and times each step: reading, `grading.grade_with_assessments` (scores and
evidence), storing the rows as attempts, and the first render of the review table; then
selecting a row and saving a rating, and preparing the downloads. Separately, times
`trainee_report_html` + `reports_zip` for 200 trainees.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pandas as pd

from empathy_training.feedback_reports import ReportItem, reports_zip, trainee_report_html
from empathy_training.loading import load_library
from empathy_training.models import Library
from empathy_training.passcode import set_passcode
from empathy_training.review import PAGE_SIZE
from empathy_training.scoring import SCORER_VERSION, score_response
from empathy_training.storage import Store
from empathy_training.ui.grading import GradingApp
from empathy_training.ui.grading import loader as loader_module

ROWS = 5_000
REPORTS = 200
RESPONSES_PER_REPORT = 4
PASSCODE = "benchmark-passcode"
OPENERS = ("", "So ", "It sounds like ", "I hear that ", "Right, ", "Okay. ")
CLOSERS = ("", " Is that right?", " That's a lot.", " Tell me more.", " I see.", " Hmm.")


def responses(library: Library, count: int, seed: int = 0) -> pd.DataFrame:
    """Distinct responses: the library's exemplars with varied openings, endings and names."""
    rng = random.Random(seed)
    vignettes = library.vignettes
    rows = []
    for i in range(count):
        vignette = rng.choice(vignettes)
        text = rng.choice(vignette.exemplars).text
        opener = rng.choice(OPENERS)
        if opener:
            text = opener + text[0].lower() + text[1:]
        text += rng.choice(CLOSERS) + f" ({i})"
        rows.append(
            {"trainee": f"Trainee {i % 400:03d}", "vignette_id": vignette.id, "response": text}
        )
    return pd.DataFrame(rows)


@contextmanager
def timed(into: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    into[name] = round(time.perf_counter() - start, 3)


def wrap(target: Any, name: str, into: dict[str, float]) -> Callable[[], None]:
    """Time every call of `target.name` into `into[name]` (summed); returns an undo."""
    original = getattr(target, name)

    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into[name] = round(into.get(name, 0.0) + time.perf_counter() - start, 3)

    setattr(target, name, timed_call)
    return lambda: setattr(target, name, original)


def app_figures(library: Library, rows: int) -> dict[str, Any]:
    table = responses(library, rows)
    content = table.to_csv(index=False).encode("utf-8")
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder, Store(f"sqlite:///{folder}/bench.db") as store:
        set_passcode(store, PASSCODE)
        app = GradingApp(store, library, rater_name="Bench")
        app.unlock(PASSCODE)
        undo = [
            wrap(loader_module, "grade_with_assessments", steps),
            wrap(app.loader, "store_upload", steps),
            wrap(app.table, "refresh", steps),
        ]
        with timed(steps, "read_upload"):
            app.loader.upload.value = (
                {
                    "name": "bench.csv",
                    "type": "text/csv",
                    "size": len(content),
                    "content": memoryview(content),
                    "last_modified": datetime.now(),
                },
            )
        with timed(steps, "score_store_and_show_total"):
            app.loader.score_button.click()
        for restore in undo:
            restore()
        shown = app.loader.load_message.value
        assert f"{rows:,} responses" in shown, shown
        with timed(steps, "sort_by_level"):
            app.table.sort_picker.value = "level"
        with timed(steps, "next_page"):
            app.table.next_button.click()
        with timed(steps, "select_row"):
            app.select(app.table.view[PAGE_SIZE + 3])  # a row on the page shown
        with timed(steps, "save_rating"):
            app.rating.level_buttons.value = 3
        with timed(steps, "prepare_downloads"):
            files = app.downloads.prepare()
        sizes = {name.rsplit(".", 1)[-1]: len(data) for name, data in files.items()}
    return {
        "rows": rows,
        "seconds": steps,
        "scored_and_shown_seconds": round(steps["grade_with_assessments"] + steps["refresh"], 3),
        "download_bytes": sizes,
        "table_html_chars": len(app.table.table_html.value),
    }


def report_figures(library: Library, count: int) -> dict[str, Any]:
    table = responses(library, count * RESPONSES_PER_REPORT, seed=1)
    items: dict[str, list[ReportItem]] = {}
    for i, row in enumerate(table.itertuples(index=False)):
        vignette = library.vignette(row.vignette_id)
        assessment = score_response(row.response, vignette=vignette)
        items.setdefault(f"Trainee {i // RESPONSES_PER_REPORT:03d}", []).append(
            ReportItem(
                response=row.response,
                assessment=assessment,
                client_statement=vignette.statement,
                vignette_title=vignette.title,
            )
        )
    start = time.perf_counter()
    pages = {name: trainee_report_html(name, rows) for name, rows in items.items()}
    html_seconds = time.perf_counter() - start
    archive = reports_zip(pages)
    total = time.perf_counter() - start
    return {
        "reports": len(pages),
        "responses_per_report": RESPONSES_PER_REPORT,
        "html_seconds": round(html_seconds, 3),
        "html_and_zip_seconds": round(total, 3),
        "zip_bytes": len(archive),
        "mean_report_bytes": round(sum(len(p) for p in pages.values()) / len(pages)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--reports", type=int, default=REPORTS)
    args = parser.parse_args()
    library = load_library()
    figures = {
        "benchmark": "grading",
        "scorer_version": SCORER_VERSION,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "app": app_figures(library, args.rows),
        "feedback_reports": report_figures(library, args.reports),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
