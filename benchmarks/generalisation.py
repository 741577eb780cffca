"""How well the scorer generalises: figures on data nobody tuned it to, beside the raters' own.

Usage: python benchmarks/generalisation.py [--quick] [--data DIR]

- blind: the corpus's blind part (writers and statements that appear nowhere in training):
  the whole scorer (`score_response`), and the learned models alone with the HRQ rule;
- raters: the two independent labellings of the same rows against each other;
- leave_one_writer_out: the learned models retrained without each training writer in turn
  (needs scikit-learn; skipped with --quick);
- annomi: behaviour, depth and question type on AnnoMI's held-out videos (never trained on);
- epitome: the EPITOME heads on EPITOME's Reddit dev part (measured, never trained on).
Prints JSON. Parts that need the shared data folder say "skipped" when it is absent.
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
    from empathy_training.scoring.classifiers import carries_risk_cue, judge, reflective_level

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
    """What `score_response` (the whole scorer, as the apps and `grade` use it) says."""
    from empathy_training.scoring import score_response

    out = []
    for row in rows:
        a = score_response(row["response"], client_statement=row["client"]["statement"])
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
    from empathy_training.scoring import classifiers

    if folder is None:
        return predict()
    original = classifiers._model
    loaded = classifiers.load_model(folder)
    classifiers._model = lambda: loaded  # type: ignore[assignment]
    try:
        return predict()
    finally:
        classifiers._model = original


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


def leave_one_writer_out(rows: Sequence[dict[str, Any]], data_dir: Path | None) -> dict[str, Any]:
    """Learned scorer retrained without each training writer, tested on that writer."""
    trainer = _script("train_scorer")
    per_writer: dict[str, Any] = {}
    pooled_gold: list[Prediction] = []
    pooled_pred: list[Prediction] = []
    with tempfile.TemporaryDirectory() as scratch:
        for writer in sorted({r["writer"] for r in rows}):
            held = [r for r in rows if r["writer"] == writer]
            folder = Path(scratch) / writer
            trainer.train([r for r in rows if r["writer"] != writer], data_dir, folder)
            predicted = with_models(folder, lambda held=held: learned_predictions(held))
            gold = [r["labels"] for r in held]
            per_writer[writer] = {
                k: v
                for k, v in figures(gold, predicted).items()
                if k in ("level_qwk", "behaviour_macro_f1", "n")
            }
            pooled_gold += gold
            pooled_pred += predicted
    return {"pooled": figures(pooled_gold, pooled_pred), "per_writer": per_writer}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip leave-one-writer-out")
    parser.add_argument("--data", help="the shared data folder")
    parser.add_argument(
        "--tuning",
        action="store_true",
        help="only the figures used to choose settings (never the blind part)",
    )
    args = parser.parse_args(argv)
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
    if not args.quick:
        report["leave_one_writer_out"] = leave_one_writer_out(train_rows, data)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
