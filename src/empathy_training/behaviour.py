"""Statistical response-type classifier: behaviour, reflection depth and question type."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "MAX_CHARS",
    "MODEL_VERSION",
    "Prediction",
    "predict_behaviour",
    "predict_question_type",
    "predict_reflection_depth",
]

#: Version of the shipped weights; stored with every assessment.
MODEL_VERSION = "behaviour-lr-1"
#: Only the first MAX_CHARS characters of a response (and of a client statement) are featurized.
MAX_CHARS = 2000
#: How many features at most supply evidence spans.
EVIDENCE_FEATURES = 3
#: How many spans at most one feature contributes (a word may occur many times).
EVIDENCE_SPANS_PER_FEATURE = 2

_WEIGHTS_FILE = "behaviour-model.json"
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+")
_SECOND_PERSON = frozenset(
    {"you", "your", "you're", "yours", "yourself", "you've", "you'll", "you'd"}
)
_WH_WORDS = frozenset({"what", "how", "why", "when", "where", "who", "which", "whom", "whose"})
_LENGTH_BINS = ((2, "0-2"), (5, "3-5"), (10, "6-10"), (20, "11-20"), (40, "21-40"))

Spans = tuple[tuple[int, int], ...]
Features = dict[str, tuple[float, Spans]]


@dataclass(frozen=True)
class Prediction:
    """One classifier decision, with the words that pushed it."""

    label: str
    """The most probable label."""
    probabilities: dict[str, float]
    """Probability of every label; they sum to 1."""
    evidence: Spans = ()
    """Character spans in the response behind the label, strongest first."""


@dataclass(frozen=True)
class _Model:
    """A logistic-regression model: labels, feature index, weights and intercepts."""

    labels: tuple[str, ...]
    index: dict[str, int]
    weights: npt.NDArray[np.float64]
    intercept: npt.NDArray[np.float64]
    uses_context: bool


def _token_norm(token: str) -> str:
    """Lowercase a token, unify apostrophes and collapse digits."""
    norm = token.lower().replace("’", "'")
    return "0" if norm.isdigit() else norm


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Words of text with their character spans."""
    return [(_token_norm(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _add(
    features: dict[str, tuple[float, list[tuple[int, int]]]],
    name: str,
    span: tuple[int, int] | None,
    value: float = 1.0,
) -> None:
    """Record a binary feature (value 1) with one more span."""
    entry = features.get(name)
    if entry is None:
        entry = (value, [])
        features[name] = entry
    if span is not None:
        entry[1].append(span)


def _length_bin(n: int) -> str:
    """Name of the length bucket for n words."""
    for limit, name in _LENGTH_BINS:
        if n <= limit:
            return name
    return "41+"


def featurize(response: str, client_statement: str = "") -> Features:
    """Features of a response and its context: name -> (value, spans in the response).

    The training script uses this very function, so the shipped weights and the runtime agree.
    """
    text = response[:MAX_CHARS]
    raw: dict[str, tuple[float, list[tuple[int, int]]]] = {}
    tokens = _tokens(text)
    n = len(tokens)
    # Words and word pairs, sentence by sentence; the first word of each sentence, and
    # the first word of each sentence that ends with a question mark.
    start = 0
    sentences: list[tuple[int, int, str]] = []
    for match in _SENTENCE_END.finditer(text):
        sentences.append((start, match.end(), match.group()))
        start = match.end()
    if start < len(text):
        sentences.append((start, len(text), ""))
    position = 0
    for s_start, s_end, ending in sentences:
        words = []
        while position < n and tokens[position][1] < s_end:
            if tokens[position][1] >= s_start:
                words.append(tokens[position])
            position += 1
        if not words:
            continue
        _add(raw, "s:" + words[0][0], (words[0][1], words[0][2]))
        if "?" in ending:
            _add(raw, "q:" + words[0][0], (words[0][1], words[0][2]))
        for i, (word, w_start, w_end) in enumerate(words):
            _add(raw, "w:" + word, (w_start, w_end))
            if i + 1 < len(words):
                nxt = words[i + 1]
                _add(raw, "b:" + word + " " + nxt[0], (w_start, nxt[2]))
    if tokens:
        first = tokens[0]
        _add(raw, "f:" + first[0], (first[1], first[2]))
        if n > 1:
            _add(raw, "fb:" + first[0] + " " + tokens[1][0], (first[1], tokens[1][2]))
        if first[0] in _WH_WORDS:
            _add(raw, "wh_start", (first[1], first[2]))
    # Structure: question marks, length, second person, overlap with the client's words.
    stripped = text.rstrip()
    question_marks = [i for i, ch in enumerate(text) if ch == "?"] if "?" in text else []
    if question_marks:
        _add(raw, "has_q", (question_marks[0], question_marks[0] + 1))
    if stripped.endswith("?"):
        _add(raw, "ends_q", (len(stripped) - 1, len(stripped)))
    _add(raw, "len:" + _length_bin(n), None)
    if n:
        you = [(s, e) for w, s, e in tokens if w in _SECOND_PERSON]
        if you:
            raw["you_share"] = (min(1.0, 4.0 * len(you) / n), you)
        client_words = {w for w, _, _ in _tokens(client_statement[:MAX_CHARS])}
        if client_words:
            shared = [(s, e) for w, s, e in tokens if w in client_words and len(w) > 3]
            long_words = sum(1 for w, _, _ in tokens if len(w) > 3)
            if long_words:
                raw["overlap"] = (len(shared) / long_words, shared)
    if not client_statement.strip():
        _add(raw, "ctx:none", None)
    elif client_statement.rstrip().endswith("?"):
        _add(raw, "ctx:q", None)
    return {name: (value, tuple(spans)) for name, (value, spans) in raw.items()}


@lru_cache(maxsize=1)
def _models() -> dict[str, _Model]:
    """Load the shipped weights once."""
    source = resources.files("empathy_training").joinpath("data", _WEIGHTS_FILE)
    data = json.loads(source.read_text(encoding="utf-8"))
    return {name: _model_from_dict(spec) for name, spec in data["models"].items()}


def _model_from_dict(spec: dict[str, Any]) -> _Model:
    """Build a model from its JSON form (binary models keep one weight per feature)."""
    labels = tuple(spec["labels"])
    names = list(spec["weights"])
    width = len(spec["intercept"])
    weights = np.zeros((len(names) + 1, width), dtype=np.float64)
    for row, name in enumerate(names):
        weights[row] = spec["weights"][name]
    return _Model(
        labels=labels,
        index={name: row for row, name in enumerate(names)},
        weights=weights,
        intercept=np.asarray(spec["intercept"], dtype=np.float64),
        uses_context=bool(spec.get("uses_context", True)),
    )


@lru_cache(maxsize=512)
def _cached_features(response: str, client_statement: str) -> Features:
    """Featurize once per (response, context), whatever the number of models asking."""
    return featurize(response, client_statement)


def _predict(model_name: str, response: object, client_statement: object) -> Prediction:
    """Score one response with one model; never raises on odd text."""
    model = _models()[model_name]
    text = response[:MAX_CHARS] if isinstance(response, str) else ""
    context = client_statement[:MAX_CHARS] if isinstance(client_statement, str) else ""
    features = _cached_features(text, context if model.uses_context else "")
    rows: list[int] = []
    values: list[float] = []
    spans: list[Spans] = []
    for name, (value, where) in features.items():
        row = model.index.get(name)
        if row is not None:
            rows.append(row)
            values.append(value)
            spans.append(where)
    contributions = model.weights[rows] * np.asarray(values)[:, None] if rows else None
    logits = model.intercept.copy()
    if contributions is not None:
        logits += contributions.sum(axis=0)
    if len(model.labels) == 2 and logits.shape[0] == 1:
        logits = np.array([0.0, logits[0]])
        if contributions is not None:
            contributions = np.hstack([np.zeros_like(contributions), contributions])
    logits = logits - logits.max()
    exp = np.exp(logits)
    probs = exp / exp.sum()
    best = int(np.argmax(probs))
    evidence: Spans = ()
    if contributions is not None:
        # How much each feature raised the log-probability of the chosen label.
        push = contributions[:, best] - contributions @ probs
        evidence = _evidence(push, spans)
    probabilities = {label: float(p) for label, p in zip(model.labels, probs, strict=True)}
    total = math.fsum(probabilities.values())
    probabilities = {label: p / total for label, p in probabilities.items()}
    return Prediction(model.labels[best], probabilities, evidence)


def _evidence(push: npt.NDArray[np.float64], spans: list[Spans]) -> Spans:
    """Spans of the few features that pushed most toward the label, merged, strongest first."""
    chosen: list[tuple[int, int]] = []
    used = 0
    for i in np.argsort(-push, kind="stable"):
        if used >= EVIDENCE_FEATURES or push[i] <= 0:
            break
        where = spans[int(i)]
        if not where:
            continue
        used += 1
        chosen.extend(where[:EVIDENCE_SPANS_PER_FEATURE])
    merged: list[tuple[int, int]] = []
    for start, end in chosen:
        for k, (m_start, m_end) in enumerate(merged):
            if start < m_end and m_start < end:
                merged[k] = (min(start, m_start), max(end, m_end))
                break
        else:
            merged.append((start, end))
    return tuple(merged)


def predict_behaviour(response: str, client_statement: str = "") -> Prediction:
    """Classify a response as reflection, question, input or other."""
    return _predict("behaviour", response, client_statement)


def predict_reflection_depth(response: str, client_statement: str = "") -> Prediction:
    """Classify a reflection as simple or complex."""
    return _predict("reflection_depth", response, client_statement)


def predict_question_type(response: str) -> Prediction:
    """Classify a question as open or closed."""
    return _predict("question_type", response, "")
