"""EPITOME agreement: the scorer's er/ip/ex codes against the labelled Reddit development set.

Reads the three row-aligned files of `shared/data/epitome-dev` beside the checkout (or the folder
named by EMPATHY_TRAINING_SHARED_DATA) and prints JSON: accuracy, macro-F1, per-class F1 and the
confusion matrix (rows: label, columns: scorer) for each mechanism. The data are only measured
against here, never copied or trained on. Prints {"skipped": ...} when the folder is absent.

    python benchmarks/epitome.py [--errors MECHANISM]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from empathy_training.errors import InputError
from empathy_training.scoring import score_response

MECHANISMS = {
    "er": "emotional-reactions-reddit-dev.csv",
    "ip": "interpretations-reddit-dev.csv",
    "ex": "explorations-reddit-dev.csv",
}
CLASSES = (0, 1, 2)


def shared_data() -> Path:
    """The shared data folder beside the checkout, or the one the environment names."""
    override = os.environ.get("EMPATHY_TRAINING_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def macro_f1(labels: np.ndarray, scores: np.ndarray) -> tuple[float, list[float]]:
    """Macro-averaged F1 over classes 0, 1, 2, and each class's F1."""
    per_class = []
    for c in CLASSES:
        tp = float(((labels == c) & (scores == c)).sum())
        fp = float(((labels != c) & (scores == c)).sum())
        fn = float(((labels == c) & (scores != c)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_class.append(
            2 * precision * recall / (precision + recall) if precision + recall else 0.0
        )
    return float(np.mean(per_class)), per_class


def main(argv: list[str] | None = None) -> int:
    """Score every response once and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=sorted(MECHANISMS), help="list disagreements")
    args = parser.parse_args(argv)
    folder = shared_data() / "epitome-dev"
    if not all((folder / name).is_file() for name in MECHANISMS.values()):
        print(json.dumps({"skipped": f"EPITOME development files not found in {folder}"}))
        return 0
    tables = {m: pd.read_csv(folder / name) for m, name in MECHANISMS.items()}
    base = tables["er"]
    codes: dict[str, list[int]] = {m: [] for m in MECHANISMS}
    for seeker, response in zip(base["seeker_post"], base["response_post"], strict=True):
        try:
            e = score_response(str(response), client_statement=str(seeker)).epitome
            values = {"er": e.er, "ip": e.ip, "ex": e.ex}
        except InputError:
            values = {"er": 0, "ip": 0, "ex": 0}
        for m in MECHANISMS:
            codes[m].append(values[m])
    result: dict[str, object] = {"rows": len(base)}
    for m, table in tables.items():
        labels = table["level"].to_numpy(dtype=int)
        scores = np.array(codes[m])
        f1, per_class = macro_f1(labels, scores)
        result[m] = {
            "accuracy": round(float((labels == scores).mean()), 3),
            "macro_f1": round(f1, 3),
            "f1_per_class": [round(x, 3) for x in per_class],
            "confusion_rows_label_cols_scored": [
                [int(((labels == a) & (scores == b)).sum()) for b in CLASSES] for a in CLASSES
            ],
        }
        if args.errors == m:
            result["disagreements"] = [
                {"label": int(a), "scored": int(b), "response": str(r)[:300]}
                for a, b, r in zip(labels, scores, table["response_post"], strict=True)
                if a != b
            ]
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
