"""Logistic-regression heads over one representation, for `compare_representations.py`.

The corpus rows and their labels per head, the figures, the feature matrices (sparse: built from
the run-time analysers with the vocabulary and idf of the rows fitted; dense: the vectors of the
exported static table or frozen encoder, standardised on the rows fitted), leave-one-writer-out
choice of settings, and the export of the fitted heads for `representations_runtime.py`.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from representations_runtime import HEADS, Scorer, block_keys, slices, sparse_row
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "src" / "empathy_training" / "data" / "corpus"

HELD_OUT = "w6"

#: Figure per head: (name, kind); the mean of these over heads chooses between settings.
METRICS = {
    "behaviour": ("behaviour_macro_f1", "macro"),
    "roadblock": ("roadblock_presence_accuracy", "accuracy"),
    "depth": ("depth_macro_f1", "macro"),
    "validation": ("validation_qwk", "qwk"),
    "risk": ("risk_handled_accuracy", "accuracy"),
    "level": ("level_qwk", "qwk"),
}
REPRESENTATIONS: dict[str, dict[str, Any]] = {
    "word_ngrams": {
        "kind": "sparse",
        "inputs": {"response": ["word"], "pair": ["word", "statement_word"]},
        "grid": [1.0, 3.0, 10.0],
    },
    "char_ngrams": {
        "kind": "sparse",
        "inputs": {"response": ["char"]},
        "grid": [3.0, 10.0, 30.0],
    },
    "word_char_ngrams": {
        "kind": "sparse",
        "inputs": {"response": ["word", "char"]},
        "grid": [3.0, 10.0, 30.0],
    },
    "shipped_features": {
        "kind": "sparse",
        "inputs": {"response": ["shipped_response"], "pair": ["shipped_pair"]},
        "grid": [0.3, 1.0, 3.0],
    },
    "static_minilm_tokens": {
        "kind": "static",
        "inputs": {"response": False, "pair": True},
        "grid": [0.01, 0.03, 0.1, 0.3],
    },
    "frozen_minilm": {
        "kind": "frozen",
        "inputs": {"response": False, "pair": True},
        "grid": [0.01, 0.03, 0.1],
    },
}
Labels = dict[str, list[str | None]]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Training and blind rows, each with its statement's text under `statement`."""
    statements = {}
    for line in (CORPUS / "statements.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        statements[row["statement_id"]] = row["statement"]
    rows = [json.loads(line) for line in (CORPUS / "responses.jsonl").read_text("utf-8").split("\n")
            if line]  # fmt: skip
    for row in rows:
        row["statement"] = statements[row["statement_id"]]
    return [r for r in rows if r["split"] == "train"], [r for r in rows if r["split"] == "blind"]


def labels_of(rows: list[dict[str, Any]], source: str = "labels") -> Labels:
    """Each head's label per row (None where a head does not apply: risk on rows without a cue)."""
    found: Labels = {h: [] for h in HEADS}
    for row in rows:
        lab = row[source]
        found["behaviour"].append(lab["behaviour"])
        found["roadblock"].append("yes" if lab["roadblocks"] else "no")
        found["depth"].append(lab["depth"])
        found["validation"].append(str(lab["validation_level"]))
        cue = row["labels"]["risk_handled"] != "na"  # rows with a cue, by the final labels
        found["risk"].append(lab["risk_handled"] if cue else None)
        found["level"].append(str(lab["level"]))
    return found


def figures(gold: Labels, predicted: Labels) -> dict[str, float]:
    """One figure per head (risk on rows with a cue), and the exact level."""
    out = {}
    for head, (name, kind) in METRICS.items():
        pairs = [(g, p) for g, p in zip(gold[head], predicted[head], strict=True) if g is not None]
        g, p = [a for a, _ in pairs], [str(b) for _, b in pairs]
        if kind == "macro":
            value = f1_score(g, p, labels=HEADS[head], average="macro", zero_division=0)
        elif kind == "qwk":
            value = cohen_kappa_score([int(x) for x in g], [int(x) for x in p], weights="quadratic")
        else:
            value = sum(a == b for a, b in pairs) / len(pairs)
        out[name] = round(float(value), 3)
    exact = zip(gold["level"], predicted["level"], strict=True)
    out["level_exact"] = round(sum(a == b for a, b in exact) / len(gold["level"]), 3)
    return out


def mean_figure(found: dict[str, float]) -> float:
    return sum(found[name] for name, _ in METRICS.values()) / len(METRICS)


class Features:
    """Builds a representation's feature matrix for any subset of rows (vocabulary per fit)."""

    def __init__(self, name: str, rows: list[dict[str, Any]], cache: Path) -> None:
        self.spec = REPRESENTATIONS[name]
        self.kind = self.spec["kind"]
        self.rows = rows
        self.folder = cache / "artifacts" / name
        if self.kind == "sparse":
            blocks = sorted({b for bs in self.spec["inputs"].values() for b in bs})
            self.counted = {
                b: [block_keys(b, r["response"], r["statement"]) for r in rows] for b in blocks
            }
        else:
            self.folder = dense_folder(name, cache)
            vectors = dense_vectors(self.folder, rows, cache / "features" / f"{name}.npz")
            self.response, self.stated, self.encode_seconds = vectors

    def matrix(
        self, variant: str, fit_rows: list[int], all_rows: list[int]
    ) -> tuple[Any, dict[str, Any]]:
        """Features of `all_rows`, vocabulary or scaling learned from `fit_rows` only."""
        if self.kind != "sparse":
            x = self.response
            if self.spec["inputs"][variant]:
                x = np.concatenate([x, self.stated, x * self.stated], axis=1)
            mean, scale = x[fit_rows].mean(axis=0), x[fit_rows].std(axis=0) + 1e-6
            return (x[all_rows] - mean) / scale, {"mean": mean, "scale": scale}
        blocks = self.spec["inputs"][variant]
        df: Counter[str] = Counter()
        for b in blocks:
            for i in fit_rows:
                df.update(self.counted[b][i].keys())
        names = sorted(k for k, n in df.items() if n >= 2)
        index = {k: i for i, k in enumerate(names)}
        idf = np.log((1 + len(fit_rows)) / (1 + np.array([df[k] for k in names]))) + 1
        idf = idf.astype(np.float32)
        indptr, columns, values = [0], [], []
        for i in all_rows:
            c, v = sparse_row(blocks, [self.counted[b][i] for b in blocks], index, idf)
            columns.append(c)
            values.append(v)
            indptr.append(indptr[-1] + len(c))
        shape = (len(all_rows), len(names))
        data = (np.concatenate(values), np.concatenate(columns), indptr)
        return sparse.csr_matrix(data, shape=shape), {"names": names, "idf": idf, "blocks": blocks}


def dense_folder(name: str, cache: Path) -> Path:
    """The exported encoder (frozen) or word-piece table (static), before any head is fitted."""
    from finetune_minilm import export_encoder, model_folder, token_vectors

    folder = cache / "artifacts" / name
    kind = REPRESENTATIONS[name]["kind"]
    if (folder / "meta.json").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    weights = model_folder(cache)
    shutil.copy(weights / "tokenizer.json", folder / "tokenizer.json")
    meta = {"kind": kind, "slices": slices(), "outputs": sum(map(len, HEADS.values()))}
    if kind == "static":
        np.save(folder / "token-vectors.npy", token_vectors(weights).astype(np.float16))
    else:
        log(f"{name}: exporting the encoder to ONNX")
        export_encoder(weights, folder / "encoder.onnx")
        meta["onnx"] = "encoder.onnx"
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")
    return folder


def dense_vectors(
    folder: Path, rows: list[dict[str, Any]], path: Path
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], float]:
    """Response and statement vectors through the run-time code (cached)."""
    if path.is_file():
        with np.load(path) as saved:
            return saved["response"], saved["stated"], float(saved["seconds"])
    log(f"encoding {len(rows)} responses with {folder.name}")
    scorer = Scorer(folder, threads=2)
    started = time.perf_counter()
    response = np.concatenate(
        [scorer._encode([r["response"] for r in rows[i : i + 64]]) for i in range(0, len(rows), 64)]
    )
    seconds = time.perf_counter() - started
    texts = sorted({r["statement"] for r in rows})
    encoded = dict(zip(texts, scorer._encode(texts), strict=True))
    stated = np.stack([encoded[r["statement"]] for r in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, response=response, stated=stated, seconds=seconds)
    return response, stated, seconds


def fit(x: Any, y: list[str | None], c: float) -> LogisticRegression | None:
    """One head's logistic regression on the rows it applies to."""
    keep = [i for i, v in enumerate(y) if v is not None]
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    return model.fit(x[keep], [y[i] for i in keep])


def cross_validate(name: str, rows: list[dict[str, Any]], cache: Path) -> dict[str, Any]:
    """Leave-one-writer-out over the main training writers: every input and C (cached)."""
    path = cache / "lowo" / f"{name}.json"
    if path.is_file():
        return dict(json.loads(path.read_text("utf-8")))
    features = Features(name, rows, cache)
    gold = labels_of(rows)
    writers = sorted({r["writer"] for r in rows if not r["writer"].startswith("c")})
    tested = [i for i, r in enumerate(rows) if r["writer"] in writers]
    grid: dict[str, Any] = {}
    for variant in REPRESENTATIONS[name]["inputs"]:
        predicted = {
            c: {h: [None] * len(rows) for h in HEADS} for c in REPRESENTATIONS[name]["grid"]
        }
        for writer in writers:
            log(f"{name} ({variant}): without {writer}")
            train = [i for i, r in enumerate(rows) if r["writer"] != writer]
            held = [i for i, r in enumerate(rows) if r["writer"] == writer]
            x, _ = features.matrix(variant, train, train + held)
            x_train, x_held = x[: len(train)], x[len(train) :]
            for c in REPRESENTATIONS[name]["grid"]:
                for head in HEADS:
                    model = fit(x_train, [gold[head][i] for i in train], c)
                    for i, label in zip(held, model.predict(x_held), strict=True):
                        predicted[c][head][i] = str(label)
        grid[variant] = {}
        for c, found in predicted.items():
            grid[variant][str(c)] = {
                "pooled": figures(*(sub(lab, tested) for lab in (gold, found))),
                HELD_OUT: figures(*(sub(lab, held_rows(rows)) for lab in (gold, found))),
            }
    choice = choose(grid)
    result = {"grid": grid, **choice}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), "utf-8")
    return result


def sub(labels: Labels, index: list[int]) -> Labels:
    return {h: [v[i] for i in index] for h, v in labels.items()}


def held_rows(rows: list[dict[str, Any]]) -> list[int]:
    return [i for i, r in enumerate(rows) if r["writer"] == HELD_OUT]


def choose(grid: dict[str, Any]) -> dict[str, Any]:
    """Best C per head, then the input whose heads (each at its best C) do best on average."""
    best: dict[str, Any] = {}
    for variant, by_c in grid.items():
        c_of = {
            h: max(by_c, key=lambda c, n=name: by_c[c]["pooled"][n])
            for h, (name, _) in METRICS.items()
        }
        pooled = {n: by_c[c_of[h]]["pooled"][n] for h, (n, _) in METRICS.items()}
        held = {n: by_c[c_of[h]][HELD_OUT][n] for h, (n, _) in METRICS.items()}
        best[variant] = {"C": c_of, "lowo": pooled, "held_out": held}
    variant = max(best, key=lambda v: mean_figure(best[v]["lowo"]))
    return {"input": variant, **best[variant]}


def export(
    name: str, features: Features, choice: dict[str, Any], gold: Labels
) -> tuple[Path, float]:
    """Fit every head on all training rows with the chosen settings; export for the run time.

    Also returns how often the exported model's labels equal scikit-learn's (every 8th row)."""
    variant = choice["input"]
    everything = list(range(len(features.rows)))
    x, fitted = features.matrix(variant, everything, everything)
    columns, biases, expected = [], [], {}
    for head, classes in HEADS.items():
        model = fit(x, gold[head], float(choice["C"][head]))
        expected[head] = [str(v) for v in model.predict(x[::8])]
        learned = [str(c) for c in model.classes_]
        coef, bias = model.coef_, model.intercept_
        if len(learned) == 2:
            coef, bias = np.vstack([0 * coef, coef]), np.array([0.0, bias[0]])
        for label in classes:
            k = learned.index(label)
            columns.append(coef[k])
            biases.append(bias[k])
    weights, bias = np.stack(columns, axis=1), np.array(biases)
    if features.kind == "sparse":
        folder = features.folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "features.json").write_text(json.dumps(fitted["names"]), "utf-8")
        np.savez_compressed(folder / "idf.npz", idf=fitted["idf"])
        meta = {"kind": "sparse", "blocks": fitted["blocks"]}
    else:
        folder = features.folder
        bias = bias - (weights * (fitted["mean"] / fitted["scale"])[:, None]).sum(axis=0)
        weights = weights / fitted["scale"][:, None]
        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        meta["pair"] = bool(REPRESENTATIONS[name]["inputs"][variant])
    np.savez_compressed(
        folder / "heads.npz", weights=weights.astype(np.float32), bias=bias.astype(np.float32)
    )
    meta.update({"slices": slices(), "outputs": len(biases)})
    (folder / "meta.json").write_text(json.dumps(meta), "utf-8")
    sample = features.rows[::8]
    scorer = Scorer(folder, threads=2)
    outputs = scorer.logits_batch([r["response"] for r in sample], [r["statement"] for r in sample])
    got = scorer.labels(outputs)
    same = [a == b for h in HEADS for a, b in zip(got[h], expected[h], strict=True)]
    return folder, sum(same) / len(same)
