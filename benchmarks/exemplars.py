"""Agreement of the scorer's reflective-listening level with the scenario exemplars' labels.

Every exemplar in the scenario library is scored against its own vignette. Prints JSON: exact
agreement, agreement within one level, quadratic-weighted kappa, the confusion matrix (rows: the
exemplar's label, columns: the scorer's level), and how well roadblocks are found. The figures
under "handwritten" come from responses to client statements outside the library
(tests/data/scoring/handwritten.yml), labelled before the scorer was run on them: a check that the
rules generalise beyond the texts they were tuned on.

    python benchmarks/exemplars.py [--errors] [SCENARIO_PATH ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

from empathy_training.loading import load_library
from empathy_training.scoring import score_response

LEVELS = (1, 2, 3, 4, 5)
HANDWRITTEN = Path(__file__).resolve().parents[1] / "tests" / "data" / "scoring" / "handwritten.yml"


def quadratic_weighted_kappa(labels: list[int], scores: list[int]) -> float:
    """Cohen's kappa with quadratic weights over levels 1-5."""
    k = len(LEVELS)
    observed = np.zeros((k, k))
    for a, b in zip(labels, scores, strict=True):
        observed[a - 1, b - 1] += 1
    weights = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    denominator = float((weights * expected).sum())
    return 1.0 if denominator == 0 else 1.0 - float((weights * observed).sum()) / denominator


def handwritten(path: Path = HANDWRITTEN) -> tuple[dict[str, object], list[dict[str, object]]]:
    """Agreement on the hand-written set: n, exact agreement and kappa; and the disagreements."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels: list[int] = []
    scores: list[int] = []
    rounds: dict[int, tuple[list[int], list[int]]] = {}
    errors: list[dict[str, object]] = []
    for item in data["statements"]:
        by_round = rounds.setdefault(int(item.get("round", 1)), ([], []))
        for response in item["responses"]:
            a = score_response(response["text"], client_statement=item["statement"])
            labels.append(int(response["level"]))
            scores.append(a.hrq_level)
            by_round[0].append(labels[-1])
            by_round[1].append(scores[-1])
            if a.hrq_level != response["level"]:
                errors.append(
                    {
                        "statement": item["id"],
                        "round": item.get("round", 1),
                        "label": response["level"],
                        "scored": a.hrq_level,
                        "depth": a.reflection_depth,
                        "roadblocks": [f"{r.category}: {r.span.text}" for r in a.roadblocks],
                        "text": response["text"],
                    }
                )
    summary = _agreement(labels, scores)
    summary["rounds"] = {str(r): _agreement(*pair) for r, pair in sorted(rounds.items())}
    return summary, errors


def _agreement(labels: list[int], scores: list[int]) -> dict[str, object]:
    exact = sum(a == b for a, b in zip(labels, scores, strict=True)) / max(1, len(labels))
    return {
        "n": len(labels),
        "exact": round(exact, 3),
        "kappa": round(quadratic_weighted_kappa(labels, scores), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Score every exemplar and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="scenario files or folders")
    parser.add_argument("--errors", action="store_true", help="also list every disagreement")
    args = parser.parse_args(argv)
    library = load_library(args.paths or None)
    labels: list[int] = []
    scores: list[int] = []
    errors = []
    rb_true = rb_false = rb_missed = 0
    cat_hits = cat_total = 0
    for vignette in library.vignettes:
        for exemplar in vignette.exemplars:
            assessment = score_response(exemplar.text, vignette=vignette)
            labels.append(exemplar.level)
            scores.append(assessment.hrq_level)
            expected, found = set(exemplar.roadblocks), set(assessment.roadblock_ids)
            if expected and found:
                rb_true += 1
            elif found:
                rb_false += 1
            elif expected:
                rb_missed += 1
            cat_total += len(expected)
            cat_hits += len(expected & found)
            if exemplar.level != assessment.hrq_level:
                errors.append(
                    {
                        "vignette": vignette.id,
                        "label": exemplar.level,
                        "scored": assessment.hrq_level,
                        "depth": assessment.reflection_depth,
                        "roadblocks": [
                            f"{r.category}: {r.span.text}" for r in assessment.roadblocks
                        ],
                        "expected_roadblocks": list(exemplar.roadblocks),
                        "text": exemplar.text,
                    }
                )
    n = len(labels)
    if n == 0:
        print(json.dumps({"skipped": "no exemplars found"}))
        return 0
    label_arr, score_arr = np.array(labels), np.array(scores)
    confusion = [[int(((label_arr == a) & (score_arr == b)).sum()) for b in LEVELS] for a in LEVELS]
    result: dict[str, object] = {
        "exemplars": n,
        "exact_agreement": round(float((label_arr == score_arr).mean()), 3),
        "within_one": round(float((abs(label_arr - score_arr) <= 1).mean()), 3),
        "quadratic_weighted_kappa": round(quadratic_weighted_kappa(labels, scores), 3),
        "confusion_rows_label_cols_scored": confusion,
        "roadblock_presence": {
            "found_when_labelled": rb_true,
            "false_alarms": rb_false,
            "missed": rb_missed,
            "precision": round(rb_true / max(1, rb_true + rb_false), 3),
            "recall": round(rb_true / max(1, rb_true + rb_missed), 3),
        },
        "roadblock_category_recall": round(cat_hits / max(1, cat_total), 3),
    }
    if HANDWRITTEN.is_file():
        result["handwritten"], handwritten_errors = handwritten()
    else:
        handwritten_errors = []
    if args.errors:
        result["disagreements"] = errors
        result["handwritten_disagreements"] = handwritten_errors
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
