"""Train the scorer's models on the labelled corpus (and AnnoMI) and export them as package data.

Usage: python scripts/train_scorer.py [--data DIR] [--out-dir DIR]

Every head is a logistic regression over the features of `empathy_training.scoring.features`:
behaviour, question type and reflection depth learn from the corpus's training part and from
AnnoMI's training videos; the twelve roadblocks, validation level, risk handling, the EPITOME
codes and "names an apt unstated feeling or metaphor" (level 5 over 4) learn from the corpus
alone; whether a client statement carries a risk cue learns from the corpus's statements (and,
sentence by sentence, from the sentence holding each one's cue: `cue_sentence`), and
whether a response reads as answering one (`reply_risk`) from the corpus's rows and the risk
responses. A second model with one hidden layer (`scorer_mlp.py`) learns depth, roadblock present
and behaviour from the corpus's rows. The blind part of the corpus is never read here.
Reproducible: fixed seeds, sorted inputs. Prints a JSON summary. Needs the `train` extra.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from empathy_training.models import ROADBLOCK_IDS
from empathy_training.scoring.classifiers import (
    HEAD_ORDER,
    HEADS_FILE,
    MODEL_FILE,
)
from empathy_training.scoring.features import featurize
from empathy_training.scoring.risk_cue import statement_features
from empathy_training.scoring.vocabulary import Vocabulary, name_array

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's scripts, however run
import training_examples as made
from training_examples import (
    Example,
    _script,
    corpus_examples,
    load_corpus,
    risk_response_examples,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "empathy_training" / "data"
MODEL_VERSION = "corpus-mlp-16"
#: A feature must occur in at least this many training texts to enter the vocabulary.
MIN_COUNT = 2
#: Inverse regularisation strength, per kind of head (chosen by leave-one-writer-out CV).
C_SOFTMAX = 1.0
C_BINARY = 1.0
#: Weights below this (absolute) are dropped from the export.
PRUNE_BELOW = 1e-3


def _features(example: Example) -> tuple[str, ...]:
    if not example.response:  # a statement-level example: the statement's own words
        return statement_features(example.statement)
    return featurize(example.response, example.statement)


def build_matrix(
    examples: Sequence[Example], vocabulary: dict[str, int] | None = None
) -> tuple[sparse.csr_matrix, dict[str, int]]:
    """Binary feature matrix; a new vocabulary (MIN_COUNT) unless one is given."""
    featured = [_features(e) for e in examples]
    if vocabulary is None:
        counts: dict[str, int] = {}
        for example, features in zip(examples, featured, strict=True):
            if not example.counted:
                continue
            for f in features:
                counts[f] = counts.get(f, 0) + 1
        names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
        vocabulary = {f: i for i, f in enumerate(names)}
    indptr: list[int] = [0]
    indices: list[int] = []
    for features in featured:
        indices.extend(vocabulary[f] for f in features if f in vocabulary)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(examples), len(vocabulary)))
    return matrix, vocabulary


def head_labels(head: str) -> list[str] | None:
    """The classes of a softmax head, or None for a binary head."""
    return HEAD_ORDER.get(head)


def fit_heads(
    examples: Sequence[Example], heads: Sequence[str]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Fit every head; returns {head: fitted model} and the vocabulary."""
    matrix, vocabulary = build_matrix(examples)
    weights = np.array([e.weight for e in examples])
    models: dict[str, Any] = {}
    for head in heads:
        rows = [i for i, e in enumerate(examples) if e.labels.get(head) is not None]
        y = [str(examples[i].labels[head]) for i in rows]
        classes = head_labels(head)
        if classes is None:
            model = LogisticRegression(
                C=C_BINARY,
                class_weight="balanced",
                max_iter=2000,
                solver="liblinear",
                random_state=0,
            )
        else:
            model = LogisticRegression(
                C=C_SOFTMAX, max_iter=3000, class_weight="balanced", random_state=0
            )
        model.fit(matrix[rows], y, sample_weight=weights[rows])
        models[head] = model
    return models, vocabulary


def hidden_layer_examples(rows: Sequence[dict[str, Any]]) -> list[Example]:
    """What the hidden layer learns from: the corpus rows and the responses to risk statements
    (each teaches the heads it has labels for)."""
    return corpus_examples(rows) + risk_response_examples()


def fit_hidden_layer(examples: Sequence[Example], vocabulary: dict[str, int]) -> dict[str, Any]:
    """Fit `scorer_mlp`'s hidden layer on `examples` (each head over the rows labelled for it)."""
    mlp = _script("scorer_mlp")
    matrix, _ = build_matrix(examples, vocabulary)
    features = [matrix.indices[a:b].tolist() for a, b in itertools.pairwise(matrix.indptr)]
    return dict(mlp.fit_mlp(features, [e.labels for e in examples], len(vocabulary)))


def export(
    models: dict[str, Any], vocabulary: dict[str, int], out_dir: Path, mlp: dict[str, Any]
) -> dict[str, Any]:
    """Write the weight matrices and the feature names (npz) and the version and heads (JSON)."""
    columns: list[np.ndarray] = []
    biases: list[float] = []
    heads: dict[str, Any] = {}
    for head, model in models.items():
        classes = [str(c) for c in model.classes_]
        start = len(biases)
        order = head_labels(head)
        if order is None:  # binary: one column, the log-odds of "1"
            assert classes == ["0", "1"], (head, classes)
            columns.append(model.coef_[0])
            biases.append(float(model.intercept_[0]))
            heads[head] = {"kind": "sigmoid", "start": start}
            continue
        assert sorted(classes) == sorted(order), (head, classes)
        for label in order:
            k = classes.index(label)
            columns.append(model.coef_[k])
            biases.append(float(model.intercept_[k]))
        heads[head] = {"kind": "softmax", "start": start, "labels": order}
    weights = np.stack(columns, axis=1)
    keep = (np.abs(weights).max(axis=1) >= PRUNE_BELOW) | (
        np.abs(mlp["hidden"]).max(axis=1) >= PRUNE_BELOW
    )
    names = [f for f, i in sorted(vocabulary.items(), key=lambda x: x[1]) if keep[i]]
    Vocabulary(names)  # raises unless they are sorted and distinct
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out_dir / MODEL_FILE,
        features=name_array(names),
        weights=weights[keep].astype(np.float16),
        bias=np.array(biases, np.float32),
        hidden=mlp["hidden"][keep].astype(np.float16),
        hidden_bias=mlp["hidden_bias"].astype(np.float32),
        hidden_output=mlp["output"].astype(np.float32),
        hidden_output_bias=mlp["output_bias"].astype(np.float32),
    )
    meta = {"version": MODEL_VERSION, "heads": heads, "hidden_heads": mlp["heads"]}
    (out_dir / HEADS_FILE).write_text(json.dumps(meta, separators=(",", ":")), "utf-8")
    return {"features": len(names), "outputs": len(biases)}


def all_heads() -> list[str]:
    """Every head the scorer uses, in export order."""
    return [
        "behaviour",
        "question_type",
        "depth",
        "any_roadblock",
        *(f"roadblock_{r}" for r in ROADBLOCK_IDS),
        "validation",
        "risk_handling",
        "er",
        "ip",
        "ex",
        "names_unstated",
        "statement_risk",
        "cue_sentence",
        "reply_risk",
    ]


def training_examples(rows: Sequence[dict[str, Any]], data_dir: Path | None) -> list[Example]:
    """Corpus rows, their statements, and AnnoMI when its folder is there."""
    examples = made.corpus_examples(rows) + made.statement_examples(rows)
    examples += made.cue_sentence_examples(rows) + made.vignette_examples()
    examples += made.risk_statement_examples() + made.short_statement_examples()
    examples += made.risk_response_examples()
    if data_dir is not None and (data_dir / "annomi").is_dir():
        examples += made.annomi_examples(data_dir)
    return examples


def train(rows: Sequence[dict[str, Any]], data_dir: Path | None, out_dir: Path) -> dict[str, Any]:
    """Fit all heads on `rows` (+ AnnoMI), and the hidden layer on `rows` and the risk data
    (`hidden_layer_examples`); export them to `out_dir` and return what `export` says of them."""
    models, vocabulary = fit_heads(training_examples(rows, data_dir), all_heads())
    hidden = fit_hidden_layer(hidden_layer_examples(rows), vocabulary)
    return export(models, vocabulary, out_dir, hidden)


def shared_data_dir(argument: str | None) -> Path:
    """The shared data folder: the argument, or beside the checkout."""
    return Path(argument) if argument else ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="the shared data folder (AnnoMI)")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    data_dir = shared_data_dir(args.data)
    rows = load_corpus("train")
    summary = train(rows, data_dir if data_dir.is_dir() else None, args.out_dir)
    summary.update(
        {
            "version": MODEL_VERSION,
            "training_rows": len(rows),
            "annomi": (data_dir / "annomi").is_dir(),
        }
    )
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
