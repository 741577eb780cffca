"""The words a learned judgement rests on: the response's words and word runs whose weights
pushed a head towards its decision the most, found again in the response's own text."""

from __future__ import annotations

from . import classifiers
from .features import MAX_CHARS, featurize, token_spans

#: Feature kinds that are words of the response, and so can be shown as evidence.
_WORD_FEATURES = ("w:", "b:", "t:", "e:", "n:")


def evidence(
    response: str, client_statement: str, head: str, label: str | None = None, limit: int = 3
) -> list[tuple[int, int]]:
    """Spans of the response's words that pushed `head` (towards `label`) the most, strongest
    first."""
    model = classifiers._model()  # looked up each time: benchmarks swap the model
    spec = model.heads[head]
    column = spec["start"] + (spec["labels"].index(label) if label is not None else 0)
    features = featurize(response, client_statement)
    at = model.vocabulary.positions(features).tolist()  # the look-up `judge` already made
    candidates = [
        (i, feature[2:])
        for i, feature in zip(at, features, strict=True)
        if i >= 0 and len(feature) > 5 and feature.startswith(_WORD_FEATURES)
    ]
    if not candidates:
        return []
    column_weights = model.weights[[i for i, _ in candidates], column].tolist()
    weighted = [
        (weight, words)
        for weight, (_, words) in zip(column_weights, candidates, strict=True)
        if weight > 0
    ]
    text = response[:MAX_CHARS]
    spans: list[tuple[int, int]] = []
    for _, words in sorted(weighted, reverse=True)[: 4 * limit]:
        found = _locate(text, words.split())
        if found is not None and all(found[1] <= s or found[0] >= e for s, e in spans):
            spans.append(found)
        if len(spans) == limit:
            break
    return spans


def _locate(text: str, words: list[str]) -> tuple[int, int] | None:
    """Where the words stand in the original text, as consecutive words (case and curly quotes
    ignored)."""
    found = token_spans(text)
    n = len(words)
    for i in range(len(found) - n + 1):
        if all(found[i + k][0] == word for k, word in enumerate(words)):
            return found[i][1], found[i + n - 1][2]
    return None
