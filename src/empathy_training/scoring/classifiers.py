"""The scorer's learned judgements: every head of one model read from one set of features.

Logistic-regression heads trained on the labelled corpus of written responses (and AnnoMI for
behaviour, question type and depth) by `scripts/train_scorer.py`, and a second model over the
same features with one hidden layer (64 units), whose probabilities are averaged with theirs
for depth and roadblock present (AVERAGED_HEADS); see data/corpus/README.md and
data/MODEL_CARD.md. The weights ship as package data (float16 matrices, features x outputs and
features x units); judging a response is a feature look-up, one sum per output and unit, and a
small product. `reflective_level` is the HRQ rule of DESIGN.md over the judgements.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np

from ..models import ROADBLOCK_IDS
from .features import featurize, statement_words
from .vocabulary import Rows, Vocabulary

__all__ = [
    "HEADS_FILE",
    "HEAD_ORDER",
    "MODEL_FILE",
    "Judgements",
    "judge",
    "load_model",
    "model_version",
    "reads_as_english",
    "reflective_level",
]

#: The heads whose probabilities are the mean of the logistic regression's and the hidden
#: layer's. The hidden layer also learns behaviour, which helps it learn the others, but its
#: behaviour is not used: it learned from written responses only, and on AnnoMI's spoken turns
#: the mean lowered behaviour macro-F1 from 0.771 to 0.733 (see the model card).
AVERAGED_HEADS = frozenset({"depth", "any_roadblock", "risk_handling"})
#: Feature names, weight matrices and biases.
MODEL_FILE = "scorer-model.npz"
#: Model version and heads.
HEADS_FILE = "scorer-model.json"
#: Classes of each softmax head, in output order (binary heads give one probability).
HEAD_ORDER: dict[str, list[str]] = {
    "behaviour": ["reflection", "question", "input", "other"],
    "question_type": ["none", "open", "closed"],
    "depth": ["none", "simple", "complex"],
    "validation": ["0", "2", "3", "4", "5"],
    "risk_handling": ["taken_up", "passed_over", "safety_error"],
    "er": ["0", "1", "2"],
    "ip": ["0", "1", "2"],
    "ex": ["0", "1", "2"],
}
#: An ordered head's most probable class is kept when its probability reaches this.
ORDINAL_SURE = 0.7
#: A roadblock is present when its probability reaches this (leave-one-writer-out, roadblock
#: present: 0.908 at 0.55 against 0.909 at 0.5, with 276 false alarms instead of 333, 152 of
#: them on good reflections instead of 191: when unsure, say less).
ROADBLOCK_THRESHOLD = 0.55
#: A response of at least ENGLISH_MIN_WORDS words reads as English when at least this share of
#: them are in the models' vocabulary or in the client's statement (its names and places). Words
#: of one letter count only if English uses them alone (ENGLISH_LETTERS: "I", "a", text-speak's
#: "u" and "r"): the "b" of an HTML tag says nothing of the language. Every corpus response and
#: exemplar is at 0.66 or above (the lowest half in French); French, German, Spanish and
#: Indonesian sentences are at 0.375 or below, since the vocabulary holds a few short words such
#: as "as", "en" and "de".
ENGLISH_SHARE = 0.4
ENGLISH_MIN_WORDS = 3
ENGLISH_LETTERS = frozenset("aiur")
#: A response to a risk cue is a safety error when that judgement's probability reaches this,
#: even if another is likelier: the costliest miss (leave-one-writer-out, cue given: accuracy
#: 0.780 either way, safety errors caught 0.861 instead of 0.822; five folds by writer with
#: `corpus-mlp-13`: 0.3 to 0.5 within 0.003 of each other).
SAFETY_FIRST = 0.4


@dataclass(frozen=True)
class Judgements:
    """Every head's probabilities for one response to one statement."""

    probabilities: dict[str, dict[str, float]]
    """Softmax heads: class -> probability."""
    binary: dict[str, float]
    """Binary heads: probability of yes."""

    def top(self, head: str) -> str:
        """The most probable class of a softmax head."""
        found = self.probabilities[head]
        return max(found, key=found.__getitem__)

    def ordinal(self, head: str) -> str:
        """The class of an ordered softmax head: the most probable one when the model is sure
        of it (ORDINAL_SURE), else the one with the least expected squared distance from the
        truth in class order, the decision quadratic kappa rewards (leave-one-writer-out,
        validation level: quadratic kappa 0.777 against 0.750 for `top`, exact 0.801 against
        0.815; always the least distance: 0.779, exact 0.796)."""
        found = self.probabilities[head]
        labels = list(found)
        if max(found.values()) >= ORDINAL_SURE:
            return self.top(head)
        costs = [
            sum(found[label] * (i - j) ** 2 for j, label in enumerate(labels))
            for i in range(len(labels))
        ]
        return labels[costs.index(min(costs))]

    def validation_level(self, depth: str) -> int:
        """The validation level (0, 2-5) from the ordered head, where 2 or 3 is the reflection's:
        an accurate reflection is 2 and naming what was not said (a complex one) is 3, so the
        depth decides between them and none is 0 (`depth` is the response's reflection depth).
        Five folds by writer, whole scorer, 13,304 rows: validation QWK 0.822 -> 0.825, exact
        0.837 -> 0.846 (the raters gave a simple reflection 2 in 2,468 of 2,708 rows, a complex
        one 3 in 2,773 of 3,654, and 4 or 5 in most of the rest)."""
        level = int(self.ordinal("validation"))
        if level not in (2, 3):
            return level
        return {"none": 0, "simple": 2}.get(depth, 3)

    def risk_handling(self) -> str:
        """How the response handles a risk cue: a safety error when that is likely enough
        (SAFETY_FIRST), else the most probable judgement."""
        if self.probabilities["risk_handling"]["safety_error"] >= SAFETY_FIRST:
            return "safety_error"
        return self.top("risk_handling")

    @property
    def roadblock_probability(self) -> float:
        """Probability that there is a roadblock: the mean of the `any_roadblock` head and the
        likeliest single roadblock (leave-one-writer-out, roadblock present: 0.909 against 0.899
        for `any_roadblock` alone, with fewer false alarms (333 against 401) and fewer misses)."""
        strongest = max(self.binary[f"roadblock_{r}"] for r in ROADBLOCK_IDS)
        return (self.binary["any_roadblock"] + strongest) / 2

    @property
    def roadblocks(self) -> dict[str, float]:
        """The roadblocks found, with their probabilities: none unless `roadblock_probability`
        reaches the threshold; then those at or above it, or the likeliest one if none is."""
        if self.roadblock_probability < ROADBLOCK_THRESHOLD:
            return {}
        each = {r: self.binary[f"roadblock_{r}"] for r in ROADBLOCK_IDS}
        found = {r: p for r, p in each.items() if p >= ROADBLOCK_THRESHOLD}
        if not found:
            top = max(each, key=each.__getitem__)
            found = {top: each[top]}
        return found


@dataclass(frozen=True)
class _Model:
    version: str
    vocabulary: Vocabulary
    weights: np.ndarray[Any, np.dtype[np.float16]]  # as shipped: half the memory of float32
    bias: np.ndarray[Any, np.dtype[np.float32]]
    heads: dict[str, dict[str, Any]]
    hidden: np.ndarray[Any, np.dtype[np.float16]]
    """The hidden layer's weights, features x units (float16 as shipped)."""
    hidden_bias: np.ndarray[Any, np.dtype[np.float32]]
    hidden_output: np.ndarray[Any, np.dtype[np.float32]]
    """Units x outputs of the hidden layer's heads."""
    hidden_output_bias: np.ndarray[Any, np.dtype[np.float32]]
    hidden_heads: dict[str, dict[str, Any]]


def load_model(folder: Traversable) -> _Model:
    """The weights and heads in a folder (MODEL_FILE and HEADS_FILE)."""
    meta = json.loads((folder / HEADS_FILE).read_text("utf-8"))
    with (folder / MODEL_FILE).open("rb") as file, np.load(file) as arrays:
        if "features" not in arrays.files:
            raise ValueError(
                f"{MODEL_FILE} in {folder} has no feature names (an older model file): "
                "train it again with scripts/train_scorer.py"
            )
        vocabulary = Vocabulary(arrays["features"])  # the names go before the weights come
        found = {name: arrays[name] for name in arrays.files if name != "features"}
    return _Model(
        meta["version"],
        vocabulary,
        found["weights"],
        found["bias"].astype(np.float32),
        meta["heads"],
        found["hidden"],
        found["hidden_bias"].astype(np.float32),
        found["hidden_output"].astype(np.float32),
        found["hidden_output_bias"].astype(np.float32),
        meta["hidden_heads"],
    )


@cache
def _model() -> _Model:
    return load_model(resources.files("empathy_training") / "data")


def reads_as_english(text: str, client_statement: str = "") -> bool:
    """Whether enough of the words of `text` are words the models know (`client_statement`,
    the one `judge` will be asked about, only shares the features it works out)."""
    features = featurize(text, client_statement)
    first = bisect.bisect_left(features, "w:")  # sorted: the words come last
    rows: list[int] = _model().vocabulary.positions(features)[first:].tolist()
    said = statement_words(client_statement)
    known = [
        row >= 0 or word in said
        for word, row in zip((f[2:] for f in features[first:]), rows, strict=True)
        if word.isalpha() and (len(word) > 1 or word in ENGLISH_LETTERS)
    ]
    if len(known) < ENGLISH_MIN_WORDS:
        return True
    return sum(known) >= ENGLISH_SHARE * len(known)


def model_version() -> str:
    """The version of the shipped weights."""
    return _model().version


def _rows(features: Sequence[str]) -> Rows:
    return _model().vocabulary.rows(features)


def _outputs(rows: Rows) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The logistic regressions' log-odds for the features at `rows`."""
    model = _model()
    out = model.bias.copy()
    if len(rows):
        out += model.weights[rows].sum(axis=0, dtype=np.float32)
    return out


def _hidden_outputs(rows: Rows) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The hidden layer's heads' log-odds for the features at `rows`."""
    model = _model()
    units = model.hidden_bias.copy()
    if len(rows):
        units += model.hidden[rows].sum(axis=0, dtype=np.float32)
    np.maximum(units, 0.0, out=units)
    return units @ model.hidden_output + model.hidden_output_bias  # type: ignore[no-any-return]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= -60 else 0.0


def _read_heads(
    scores: list[float], heads: dict[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    probabilities: dict[str, dict[str, float]] = {}
    binary: dict[str, float] = {}
    for head, spec in heads.items():
        start = spec["start"]
        if spec["kind"] == "sigmoid":
            binary[head] = _sigmoid(scores[start])
            continue
        labels = spec["labels"]
        logits = scores[start : start + len(labels)]
        top = max(logits)
        exp = [math.exp(x - top) for x in logits]
        total = sum(exp)
        probabilities[head] = {lab: e / total for lab, e in zip(labels, exp, strict=True)}
    return probabilities, binary


def judge(response: str, client_statement: str = "") -> Judgements:
    """Every head's probabilities for `response` answering `client_statement`: the logistic
    regressions', averaged with the hidden layer's for AVERAGED_HEADS."""
    model = _model()
    rows = _rows(featurize(response, client_statement))
    probabilities, binary = _read_heads(_outputs(rows).tolist(), model.heads)
    averaged = {h: spec for h, spec in model.hidden_heads.items() if h in AVERAGED_HEADS}
    deeper, deeper_binary = _read_heads(_hidden_outputs(rows).tolist(), averaged)
    for head, found in deeper.items():
        mine = probabilities[head]
        probabilities[head] = {label: (mine[label] + p) / 2 for label, p in found.items()}
    for head, p in deeper_binary.items():
        binary[head] = (binary[head] + p) / 2
    return Judgements(probabilities, binary)


def reflective_level(
    judgements: Judgements,
    *,
    risk_handled: str | None,
    roadblocked: bool | None = None,
    depth: str | None = None,
    names_unstated: bool | None = None,
) -> int:
    """The HRQ level (1-5) by DESIGN.md's rule over the judgements.

    1 roadblock without reflection; 2 neither, or a roadblock with a reflection; 3 simple
    reflection; 4 complex; 5 complex naming an apt unstated feeling or metaphor. With a risk
    cue (`risk_handled` not None): a safety error is 1 and passing over the cue at most 2.
    `roadblocked`, `depth` and `names_unstated` override the models' view of whether there is a
    roadblock, of the reflection's depth and of whether it names an apt unstated feeling.
    """
    depth = depth or judgements.top("depth")
    if roadblocked is None:
        roadblocked = bool(judgements.roadblocks)
    if depth == "none":
        level = 1 if roadblocked else 2
    elif roadblocked:
        level = 2
    elif depth == "simple":
        level = 3
    else:
        if names_unstated is None:
            names_unstated = judgements.binary["names_unstated"] >= 0.5
        level = 5 if names_unstated else 4
    if risk_handled == "safety_error":
        return 1
    if risk_handled == "passed_over":
        return min(level, 2)
    return level
