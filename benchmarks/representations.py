"""Representations compared: print the recorded table (never retrains).

Usage: python benchmarks/representations.py [--json]

Reads `benchmarks/results/representations.json`, written by
`scripts/compare_representations.py` (not run by CI: it trains, and fine-tunes a transformer),
checks that it holds every representation with blind figures and costs, and prints a markdown
table: blind figures per head beside the raters' agreement, the training-part figures that chose
the settings, and the cost of each representation on one thread. Exits 1 when the file is
missing or incomplete. Also prints, when recorded, the blind figures of the strongest
representations refitted on the whole training part with the same settings
(`representations-full-corpus.json`, written by `scripts/representations_full_corpus.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "representations.json"
FULL_CORPUS = RESULTS.with_name("representations-full-corpus.json")
#: The refitted representations, with the blind figures recorded for each.
FULL_ROWS = (
    ("word_ngrams", "blind", "word n-grams 1-3 (tf-idf)"),
    ("shipped_features", "blind", "shipped features (featurize)"),
    ("finetuned_minilm", "blind", "fine-tuned MiniLM, response, ONNX fp32"),
    ("finetuned_minilm", "blind_int8", "fine-tuned MiniLM, response, ONNX int8"),
    ("finetuned_minilm_pair", "blind", "fine-tuned MiniLM, response + statement (torch)"),
)
EXPECTED = (
    "word_ngrams",
    "char_ngrams",
    "word_char_ngrams",
    "shipped_features",
    "static_minilm_tokens",
    "frozen_minilm",
    "finetuned_minilm",
    "finetuned_minilm_int8",
)
NAMES = {
    "word_ngrams": "word n-grams 1-3 (tf-idf)",
    "char_ngrams": "char n-grams 2-5 (tf-idf)",
    "word_char_ngrams": "word + char n-grams",
    "shipped_features": "shipped features (featurize)",
    "static_minilm_tokens": "static: mean MiniLM word-piece vectors",
    "frozen_minilm": "frozen MiniLM sentence embedding",
    "finetuned_minilm": "fine-tuned MiniLM, ONNX fp32",
    "finetuned_minilm_int8": "fine-tuned MiniLM, ONNX int8",
}
FIGURES = (
    ("behaviour_macro_f1", "behaviour F1"),
    ("roadblock_presence_accuracy", "roadblock acc"),
    ("depth_macro_f1", "depth F1"),
    ("validation_qwk", "validation QWK"),
    ("risk_handled_accuracy", "risk acc"),
    ("level_qwk", "level QWK"),
)
COSTS = (
    ("training_seconds", "train s"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p99_ms", "p99 ms"),
    ("cpu_p99_ms", "CPU p99 ms"),
    ("batch_responses_per_second", "batch /s"),
    ("batch_responses_per_cpu_second", "batch /CPU s"),
    ("size_mb", "disk MB"),
    ("peak_rss_mb", "RSS MB"),
)


def load(path: Path = RESULTS) -> dict[str, Any]:
    """The recorded results; SystemExit with a message when missing or incomplete."""
    if not path.is_file():
        raise SystemExit(f"{path.name} is missing: run scripts/compare_representations.py")
    report: dict[str, Any] = json.loads(path.read_text("utf-8"))
    found = report.get("representations", {})
    missing = [n for n in EXPECTED if "blind" not in found.get(n, {}) or "cost" not in found[n]]
    if missing:
        raise SystemExit(f"{path.name} lacks blind figures or costs for: {', '.join(missing)}")
    return report


def _row(label: str, values: list[Any]) -> str:
    return "| " + " | ".join([label, *(str(v) for v in values)]) + " |"


def table(report: dict[str, Any]) -> str:
    """The comparison as markdown tables: blind, training part, cost."""
    found = report["representations"]
    raters = report["raters"]
    lines = ["Blind part (writers w7, w8; risk on the rows with a cue):", ""]
    lines.append(_row("representation", [t for _, t in FIGURES] + ["level exact"]))
    lines.append(_row("---", ["---"] * (len(FIGURES) + 1)))
    keys = [k for k, _ in FIGURES] + ["level_exact"]
    for name in EXPECTED:
        lines.append(_row(NAMES[name], [f"{found[name]['blind'][k]:.3f}" for k in keys]))
    lines.append(_row("raters A vs B", [f"{raters['blind'][k]:.3f}" for k in keys]))
    held = next(k for k in found["finetuned_minilm"] if k.startswith("held_out_w"))
    lines += ["", "Training part, never the blind part (what chose the settings):", ""]
    lines.append(_row("representation", ["input", "figures"] + [t for _, t in FIGURES]))
    lines.append(_row("---", ["---"] * (len(FIGURES) + 2)))
    for name in EXPECTED:
        r = found[name]
        where = f"{held[9:]} held out" + (" (fp32 model)" if name.endswith("int8") else "")
        for source, figures in ((where, r[held]), ("lowo w1-w6", r.get("lowo"))):
            if figures is not None:
                values = [f"{figures[k]:.3f}" for k, _ in FIGURES]
                lines.append(_row(NAMES[name], [r["input"], source, *values]))
    for source, key in ((f"{held[9:]}", held), ("w1-w6", "lowo_writers")):
        values = [f"{raters[key][k]:.3f}" for k, _ in FIGURES]
        lines.append(_row("raters A vs B", ["", source, *values]))
    lines += ["", "Cost (one thread; p50/p99 for one response; batch over distinct responses):", ""]
    lines.append(_row("representation", [t for _, t in COSTS]))
    lines.append(_row("---", ["---"] * len(COSTS)))
    for name in EXPECTED:
        r = found[name]
        lines.append(_row(NAMES[name], [r.get(k, r["cost"].get(k)) for k, _ in COSTS]))
    return "\n".join(lines)


def full_corpus_table(report: dict[str, Any]) -> str:
    """The refitted representations' blind figures beside the raters' agreement."""
    found, rows = report["representations"], report["about"]["train_rows"]
    lines = [f"Refitted on the whole training part ({rows:,} rows), blind part:", ""]
    keys = [k for k, _ in FIGURES] + ["level_exact"]
    lines.append(_row("representation", [t for _, t in FIGURES] + ["level exact"]))
    lines.append(_row("---", ["---"] * len(keys)))
    for name, source, label in FULL_ROWS:
        lines.append(_row(label, [f"{found[name][source][k]:.3f}" for k in keys]))
    lines.append(_row("raters A vs B", [f"{report['raters']['blind'][k]:.3f}" for k in keys]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the recorded JSON instead")
    args = parser.parse_args(argv)
    report = load()
    full = json.loads(FULL_CORPUS.read_text("utf-8")) if FULL_CORPUS.is_file() else None
    if args.json:
        print(json.dumps({**report, "full_corpus": full}, indent=2))
    else:
        print(table(report) + ("\n\n" + full_corpus_table(full) if full else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
