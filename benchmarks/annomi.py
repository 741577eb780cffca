"""Held-out AnnoMI figures for the scorer's learned models and for the whole scorer, as JSON.

Usage: python benchmarks/annomi.py [--data DIR]

Scores the videos that the training script never sees (`annomi_data.is_validation_video`):
the learned behaviour, depth and question-type heads (`empathy_training.scoring.classifiers`), and
`score_response` as the apps use it. Prints macro-F1, per-class F1 and counts. Prints
{"skipped": ...} and exits 0 without the data.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from empathy_training.scoring import classifiers

DATA_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "annomi_data.py"


def _data_script() -> ModuleType:
    """The AnnoMI loader the training script uses (one source of truth for the split)."""
    spec = importlib.util.spec_from_file_location("annomi_data", DATA_SCRIPT)
    if spec is None or spec.loader is None:
        raise ImportError(DATA_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def f1_report(gold: list[str], predicted: list[str], labels: list[str]) -> dict[str, Any]:
    """Macro-F1, per-class F1 and support, computed from counts."""
    per_class: dict[str, float] = {}
    support: dict[str, int] = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        per_class[label] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
        support[label] = tp + fn
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "macro_f1": round(sum(per_class.values()) / len(labels), 4),
        "accuracy": round(correct / max(1, len(gold)), 4),
        "per_class_f1": per_class,
        "support": support,
        "n": len(gold),
    }


def scorer_figures(held_out: Any) -> dict[str, Any]:
    """The same held-out utterances through the whole scorer."""
    from empathy_training.errors import InputError
    from empathy_training.scoring import score_response

    gold: list[str] = []
    kinds: list[str] = []
    depth_gold: list[str] = []
    depths: list[str] = []
    question_gold: list[str] = []
    questions: list[str] = []
    for row in held_out.itertuples():
        try:
            a = score_response(str(row.response), client_statement=str(row.client_statement))
        except InputError:
            continue
        gold.append(str(row.behaviour))
        kinds.append(a.behaviour)
        if isinstance(row.reflection_depth, str):
            depth_gold.append(row.reflection_depth)
            depths.append(a.reflection_depth if a.reflection_depth != "none" else "simple")
        if isinstance(row.question_type, str):
            question_gold.append(row.question_type)
            questions.append(a.question_type or "closed")
    return {
        "behaviour": f1_report(gold, kinds, sorted(set(gold))),
        "reflection_depth": f1_report(depth_gold, depths, ["complex", "simple"]),
        "question_type": f1_report(question_gold, questions, ["closed", "open"]),
        "note": "score_response(...) on each held-out utterance with the client's previous turn; "
        "depth and question type over the utterances the annotators coded for them "
        "(no reflection counted as simple, no question as closed)",
    }


def run(data_dir: Path) -> dict[str, Any]:
    """Score the held-out videos and collect the figures."""
    data = _data_script().load_annomi(data_dir)
    held_out = data[data["validation"]]
    results: dict[str, Any] = {
        "model_version": classifiers.model_version(),
        "videos": {
            "held_out": int(held_out["video_url"].nunique()),
            "training": int(data.loc[~data["validation"], "video_url"].nunique()),
        },
    }
    timings: list[float] = []
    judged = []
    for response, context in zip(held_out["response"], held_out["client_statement"], strict=True):
        started = time.perf_counter()
        judged.append(classifiers.judge(str(response), str(context)))
        timings.append(time.perf_counter() - started)
    gold = [str(v) for v in held_out["behaviour"]]
    results["behaviour"] = f1_report(gold, [j.top("behaviour") for j in judged], sorted(set(gold)))
    coded = [
        (g, j)
        for g, j in zip(held_out["reflection_depth"], judged, strict=True)
        if isinstance(g, str)
    ]
    results["reflection_depth"] = f1_report(
        [g for g, _ in coded],
        [j.top("depth") if j.top("depth") != "none" else "simple" for _, j in coded],
        ["complex", "simple"],
    )
    asked = [
        (g, j) for g, j in zip(held_out["question_type"], judged, strict=True) if isinstance(g, str)
    ]
    results["question_type"] = f1_report(
        [g for g, _ in asked],
        [
            j.top("question_type") if j.top("question_type") != "none" else "closed"
            for _, j in asked
        ],
        ["closed", "open"],
    )
    results["scorer"] = scorer_figures(held_out)
    timings.sort()
    results["latency_ms_per_call"] = {
        "p50": round(1000 * timings[len(timings) // 2], 4),
        "p99": round(1000 * timings[int(0.99 * (len(timings) - 1))], 4),
        "n": len(timings),
    }
    return results


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="shared data folder (default: as the training script)")
    args = parser.parse_args(argv)
    data_dir = _data_script().shared_data_dir(args.data)
    if not (data_dir / "annomi" / "AnnoMI-simple.csv").is_file():
        print(json.dumps({"skipped": f"AnnoMI not found under {data_dir}"}))
        return 0
    print(json.dumps(run(data_dir), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
