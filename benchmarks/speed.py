"""Speed of the scorer: single-response latency, batch throughput, import time and memory.

The responses are the scenario library's exemplars (trainee-length responses, each with its
vignette), repeated with small variations so that no cache hides the work. Latency and
throughput are measured after `scoring.warm_up()`, as a server would run; the cold first score
is reported separately. Batch throughput is the median of several passes over the batch (the
best pass is reported too), since a shared machine's speed varies from second to second; per CPU
second leaves out the time the machine gave to others.

`grade` is timed apart, as `empathy-training grade` runs it: distinct written responses from the
corpus's training part, each with its bare client statement, a few to each of many statements
(harder than a class answering the same few vignettes: more of the work is per statement).
`this_process_peak_rss_mb` includes reading the corpus and grading those rows. Prints JSON.

    python benchmarks/speed.py [--repeat N] [--passes N] [--grade-rows N]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from empathy_training.grading import grade
from empathy_training.loading import load_library
from empathy_training.models import Vignette
from empathy_training.scoring import score_response, warm_up

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from training_examples import load_corpus

VARIANTS = ("", " Honestly.", " I hear you.", " Is that right?", " Take your time.")


def _cases(repeat: int) -> list[tuple[str, Vignette]]:
    library = load_library()
    base = [(e.text, v) for v in library.vignettes for e in v.exemplars]
    cases = []
    for r in range(repeat):
        for i, (text, vignette) in enumerate(base):
            suffix = VARIANTS[(i + r) % len(VARIANTS)]
            cases.append((f"{text}{suffix} ({r})" if r else text + suffix, vignette))
    return cases


def _corpus_table(rows: int, seed: int = 0) -> pd.DataFrame:
    """Distinct training-part responses from the corpus, each with its statement, shuffled."""
    pairs = {(r["response"], r["client"]["statement"]): None for r in load_corpus("train")}
    chosen = list(pairs)
    random.Random(seed).shuffle(chosen)
    return pd.DataFrame(chosen[:rows], columns=["response", "client_statement"])


def grade_figures(rows: int, passes: int) -> dict[str, object]:
    """`grade` over distinct corpus responses: rows a second (median and best of the passes)."""
    table = _corpus_table(rows)
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        graded = grade(table)
        rates.append(len(table) / (time.perf_counter() - start))
    return {
        "rows": len(table),
        "statements": int(table["client_statement"].nunique()),
        "rows_in_error": int((graded["error"] != "").sum()),
        "responses_per_second": round(statistics.median(rates)),
        "best_pass_per_second": round(max(rates)),
    }


def _fresh_interpreter(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def import_seconds() -> float:
    """Median wall time of `import empathy_training` in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter(); import empathy_training; "
        "print(time.perf_counter() - t)"
    )
    return statistics.median(float(_fresh_interpreter(code)) for _ in range(3))


def first_score_seconds() -> float:
    """Time of the first score in a fresh interpreter without warm_up (patterns compile lazily)."""
    code = (
        "import time; from empathy_training.scoring import score_response, warm_up; "
        "t = time.perf_counter(); score_response('You sound tired.', client_statement='I am.'); "
        "print(time.perf_counter() - t)"
    )
    return float(_fresh_interpreter(code))


def rss_after_import_mb() -> float:
    """Peak resident memory of a fresh interpreter after importing the package and scoring once."""
    code = (
        "import resource; import empathy_training; "
        "from empathy_training.scoring import score_response, warm_up; "
        "score_response('You sound tired.', client_statement='I am.'); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    return round(int(_fresh_interpreter(code)) / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    """Measure and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8, help="passes over the exemplars")
    parser.add_argument("--passes", type=int, default=5, help="timed passes over the batch")
    parser.add_argument("--grade-rows", type=int, default=5000, help="corpus rows `grade` scores")
    args = parser.parse_args(argv)
    # Fresh interpreters first: a child started from a large process reports that process's
    # peak memory as its own (Linux keeps the peak across fork and exec).
    fresh = {
        "import_seconds": round(import_seconds(), 3),
        "first_score_seconds_cold": round(first_score_seconds(), 3),
        "rss_after_import_and_first_score_mb": rss_after_import_mb(),
    }
    cases = _cases(args.repeat)
    start = time.perf_counter()
    warm_up()
    warm_up_seconds = time.perf_counter() - start
    latencies = []
    for text, vignette in cases[: len(cases) // 2]:
        start = time.perf_counter()
        score_response(text, vignette=vignette)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    batch = cases[len(cases) // 2 :]
    rates, cpu_rates = [], []
    for _ in range(args.passes):
        start, cpu_start = time.perf_counter(), time.process_time()
        for text, vignette in batch:
            score_response(text, vignette=vignette)
        rates.append(len(batch) / (time.perf_counter() - start))
        cpu_rates.append(len(batch) / (time.process_time() - cpu_start))

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 3)

    result = {
        "responses_timed": len(latencies),
        "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        "batch_responses": len(batch),
        "batch_responses_per_second": round(statistics.median(rates)),
        "batch_best_pass_per_second": round(max(rates)),
        "batch_responses_per_cpu_second": round(statistics.median(cpu_rates)),
        "grade_distinct": grade_figures(args.grade_rows, 3),
        **fresh,
        "warm_up_seconds": round(warm_up_seconds, 3),
        "this_process_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
    }
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
