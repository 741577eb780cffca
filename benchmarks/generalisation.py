"""How well the scorer generalises: figures on data nobody tuned it to, beside the raters' own.

Usage: python benchmarks/generalisation.py [--quick] [--folds N | --folds-from JSON] [--tuning]
                                          [--data DIR]

- blind: the corpus's blind part (writers and statements that appear nowhere in training):
  the whole scorer (through `grade`, each statement's answers together), and the learned
  models alone with the HRQ rule;
- raters: the two independent labellings of the same rows against each other;
- leave_writers_out: the learned models retrained without each of N groups of training
  writers in turn (sorted writers dealt round into N folds; N = the number of training writers
  is leave-one-writer-out), tested on the writers left out, pooled and per writer (needs the
  `train` extra; about ten minutes a fold; skipped with --quick): the models alone with the
  HRQ rule (`pooled`) and the whole scorer (`pooled_scorer`). --folds-from takes the folds
  of an earlier result instead: the same rows are held out, and writers added since then are
  always trained on (what more writers did, on the same rows).
AnnoMI and EPITOME have their own scripts (`annomi.py`, `epitome.py`). Prints JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from sklearn.metrics import cohen_kappa_score, f1_score

ROOT = Path(__file__).resolve().parents[1]
ROADBLOCKS = (
    "ordering", "warning", "moralizing", "advising", "persuading", "judging",
    "praising", "shaming", "interpreting", "reassuring", "questioning", "distracting",
)  # fmt: skip
Prediction = dict[str, Any]


def _script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _qwk(gold: Sequence[int], predicted: Sequence[int]) -> float:
    return round(float(cohen_kappa_score(gold, predicted, weights="quadratic")), 3)


def _macro(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    return round(
        float(f1_score(gold, predicted, labels=list(labels), average="macro", zero_division=0)), 3
    )


def figures(gold: Sequence[Prediction], predicted: Sequence[Prediction]) -> dict[str, Any]:
    """Agreement of `predicted` with `gold`, label by label (the issue's figures)."""
    out: dict[str, Any] = {"n": len(gold)}
    out["level_qwk"] = _qwk([g["level"] for g in gold], [p["level"] for p in predicted])
    out["level_exact"] = round(
        sum(g["level"] == p["level"] for g, p in zip(gold, predicted, strict=True)) / len(gold), 3
    )
    present = [
        (bool(g["roadblocks"]), bool(p["roadblocks"])) for g, p in zip(gold, predicted, strict=True)
    ]
    out["roadblock_presence_accuracy"] = round(sum(a == b for a, b in present) / len(gold), 3)
    out["roadblock_f1"] = {
        r: round(
            float(
                f1_score(
                    [r in g["roadblocks"] for g in gold],
                    [r in p["roadblocks"] for p in predicted],
                    zero_division=0,
                )
            ),
            3,
        )
        for r in ROADBLOCKS
    }
    out["behaviour_macro_f1"] = _macro(
        [g["behaviour"] for g in gold],
        [p["behaviour"] for p in predicted],
        ("reflection", "question", "input", "other"),
    )
    out["depth_macro_f1"] = _macro(
        [g["depth"] for g in gold], [p["depth"] for p in predicted], ("none", "simple", "complex")
    )
    out["question_type_macro_f1"] = _macro(
        [g["question_type"] for g in gold],
        [p["question_type"] for p in predicted],
        ("none", "open", "closed"),
    )
    out["validation_qwk"] = _qwk(
        [int(g["validation_level"]) for g in gold], [int(p["validation_level"]) for p in predicted]
    )
    risky = [(g, p) for g, p in zip(gold, predicted, strict=True) if g["risk_handled"] != "na"]
    if risky and all(p.get("risk_handled") is not None for _, p in risky):
        out["risk_handled_accuracy"] = round(
            sum(g["risk_handled"] == p["risk_handled"] for g, p in risky) / len(risky), 3
        )
        out["risk_rows"] = len(risky)
    for code in ("er", "ip", "ex"):
        if all(p.get(code) is not None for p in predicted):
            out[f"epitome_{code}_macro_f1"] = _macro(
                [str(g[code]) for g in gold], [str(p[code]) for p in predicted], ("0", "1", "2")
            )
    return out


def learned_predictions(rows: Sequence[dict[str, Any]]) -> list[Prediction]:
    """The learned scorer's labels for corpus rows (statements as their only context)."""
    from empathy_training.scoring.classifiers import judge, reflective_level
    from empathy_training.scoring.risk_cue import carries_risk_cue

    out = []
    for row in rows:
        statement = row["client"]["statement"]
        found = judge(row["response"], statement)
        risky = carries_risk_cue(statement, found)
        level = reflective_level(found, risk_handled=found.risk_handling() if risky else None)
        out.append(
            {
                "level": level,
                "behaviour": found.top("behaviour"),
                "question_type": found.top("question_type"),
                "depth": found.top("depth"),
                "roadblocks": sorted(found.roadblocks),
                "validation_level": found.validation_level(found.top("depth")),
                "risk_handled": found.risk_handling() if risky else "na",
                "er": found.top("er"),
                "ip": found.top("ip"),
                "ex": found.top("ex"),
            }
        )
    return out


def scorer_predictions(rows: Sequence[dict[str, Any]]) -> list[Prediction]:
    """What the whole scorer says through `grade`, as a grader's table of these rows gets it
    (the answers to one statement read together for a risk cue: `score_responses`)."""
    import pandas as pd

    from empathy_training.grading import grade_with_assessments

    table = pd.DataFrame(
        {
            "response": [row["response"] for row in rows],
            "client_statement": [row["client"]["statement"] for row in rows],
        }
    )
    graded, found = grade_with_assessments(table)
    out = []
    for a, error in zip(found, graded["error"], strict=True):
        if a is None:
            raise ValueError(f"a corpus row could not be scored: {error}")
        out.append(
            {
                "confidence": a.confidence,
                "risk_handled": a.risk_handled or "na",
                "level": a.hrq_level,
                "behaviour": a.behaviour,
                "question_type": a.question_type or "none",
                "depth": a.reflection_depth or "none",
                "roadblocks": sorted({r.category for r in a.roadblocks}),
                "validation_level": a.validation_level,
                "er": a.epitome.er,
                "ip": a.epitome.ip,
                "ex": a.epitome.ex,
            }
        )
    return out


def with_models(folder: Path | None, predict: Callable[[], list[Prediction]]) -> list[Prediction]:
    """Run `predict` with the weights in `folder` instead of the shipped ones."""
    from empathy_training.scoring import classifiers, risk_cue

    if folder is None:
        return predict()
    original = classifiers._model
    loaded = classifiers.load_model(folder)
    classifiers._model = lambda: loaded  # type: ignore[assignment]
    risk_cue.statement_risk_parts.cache_clear()  # its values belong to one model
    try:
        return predict()
    finally:
        classifiers._model = original
        risk_cue.statement_risk_parts.cache_clear()


def calibration(gold: Sequence[Prediction], predicted: Sequence[Prediction]) -> dict[str, Any]:
    """Expected calibration error of `confidence` for the level being exactly right, with the
    reliability table (10 equal-width bins)."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(10)]
    for g, p in zip(gold, predicted, strict=True):
        bins[min(9, int(p["confidence"] * 10))].append((p["confidence"], g["level"] == p["level"]))
    table, error = [], 0.0
    for i, items in enumerate(bins):
        if not items:
            continue
        mean = sum(c for c, _ in items) / len(items)
        right = sum(ok for _, ok in items) / len(items)
        error += len(items) / len(gold) * abs(mean - right)
        table.append(
            {
                "bin": f"{i / 10:.1f}-{(i + 1) / 10:.1f}",
                "n": len(items),
                "mean_confidence": round(mean, 3),
                "share_right": round(right, 3),
            }
        )
    return {"ece": round(error, 3), "reliability": table}


def rater_figures(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Rater A against rater B on the same rows."""
    both = [r for r in rows if r["rater_a"] and r["rater_b"]]
    return figures([r["rater_a"] for r in both], [r["rater_b"] for r in both])


def leave_writers_out(
    rows: Sequence[dict[str, Any]],
    data_dir: Path | None,
    folds: int,
    groups: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The learned models retrained without each fold of writers, tested on that fold (`groups`:
    the folds to hold out, if not the writers dealt round into `folds`)."""
    trainer = _script("train_scorer")
    if groups is None:
        every = sorted({r["writer"] for r in rows})
        groups = [every[i::folds] for i in range(min(folds, len(every)))]
    writers = sorted({w for group in groups for w in group})
    gold: list[Prediction] = []
    predicted: list[Prediction] = []
    scored: list[Prediction] = []
    held_writers: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        for i, group in enumerate(groups):
            held = [r for r in rows if r["writer"] in group]
            folder = Path(scratch) / str(i)
            trainer.train([r for r in rows if r["writer"] not in group], data_dir, folder)
            predicted += with_models(folder, lambda held=held: learned_predictions(held))
            scored += with_models(folder, lambda held=held: scorer_predictions(held))
            gold += [r["labels"] for r in held]
            held_writers += [r["writer"] for r in held]
    per_writer = {}
    for writer in writers:
        mine = [k for k, w in enumerate(held_writers) if w == writer]
        found = figures([gold[k] for k in mine], [predicted[k] for k in mine])
        per_writer[writer] = {k: found[k] for k in ("n", "level_qwk", "behaviour_macro_f1")}
    return {
        "folds": [sorted(group) for group in groups],
        "pooled": figures(gold, predicted),
        "pooled_scorer": figures(gold, scored),
        "per_writer": per_writer,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip leaving writers out")
    parser.add_argument(
        "--folds", type=int, default=5, help="folds of writers left out (default 5)"
    )
    parser.add_argument(
        "--folds-from", type=Path, help="hold out the folds of an earlier result (JSON)"
    )
    parser.add_argument("--data", help="the shared data folder")
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="only the figures used to choose settings (never the blind part)",
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds needs at least 2 folds (--quick leaves no writers out)")
    trainer = _script("train_scorer")
    data_dir = trainer.shared_data_dir(args.data)
    data = data_dir if (data_dir / "annomi").is_dir() else None
    report: dict[str, Any] = {}
    blind = [] if args.tuning else trainer.load_corpus("blind")
    gold = [r["labels"] for r in blind]
    report["blind"] = blind and {
        "rows": len(blind),
        "statements": len({r["statement_id"] for r in blind}),
        "writers": sorted({r["writer"] for r in blind}),
        "scorer": figures(gold, scored := scorer_predictions(blind)),
        "scorer_calibration": calibration(gold, scored),
        "models_alone": figures(gold, learned_predictions(blind)),
        "raters": rater_figures(blind),
    }
    train_rows = trainer.load_corpus("train")
    report["raters_train_part"] = rater_figures(train_rows)
    groups = None
    if args.folds_from is not None:
        groups = json.loads(args.folds_from.read_text())["leave_writers_out"]["folds"]
    if not args.quick:
        report["leave_writers_out"] = leave_writers_out(train_rows, data, args.folds, groups)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
