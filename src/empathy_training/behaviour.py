"""Statistical response-type classifier: behaviour, reflection depth and question type.

Three logistic-regression models trained on AnnoMI (see data/MODEL_CARD.md) score a response
from plain features: words and word pairs, how its sentences open, its question marks and
length, second-person words, cue phrases from a small lexicon, and which of its words echo the
client's. Weights, vocabulary and lexicon ship as one JSON file, loaded once; scoring needs only
dictionary look-ups and sums. `featurize` is shared with the training script, so the runtime
and the fitted models see identical features.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from importlib import resources
from typing import Any, NamedTuple

__all__ = [
    "MAX_CHARS",
    "MODEL_VERSION",
    "CueIndex",
    "Features",
    "Prediction",
    "cue_index",
    "featurize",
    "predict_behaviour",
    "predict_question_type",
    "predict_reflection_depth",
]

#: Version of the shipped weights; stored with every assessment.
MODEL_VERSION = "behaviour-lr-2"
#: Only the first MAX_CHARS characters of a response (and of a client statement) are read.
MAX_CHARS = 2000
#: How many features at most supply evidence spans.
EVIDENCE_FEATURES = 3
#: How many spans at most one feature supplies (a word may occur many times).
EVIDENCE_SPANS_PER_FEATURE = 2

_WEIGHTS_FILE = "behaviour-model.json"
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# The same for lower-case ASCII text, where it is quicker.
_ASCII_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?]+")
_SECOND_PERSON = frozenset(
    {"you", "your", "you're", "yours", "yourself", "you've", "you'll", "you'd"}
)
#: The only features whose value is not 1.
_WEIGHTED = ("you_share", "overlap")
_LENGTH_BINS = ((2, "0-2"), (5, "3-5"), (10, "6-10"), (20, "11-20"), (40, "21-40"))
_NEW_WORD_BINS = ((0, "0"), (2, "1-2"), (5, "3-5"), (10, "6-10"))
#: Words shorter than this count neither as content echoed from the client nor as new content.
_CONTENT_LENGTH = 4

Span = tuple[int, int]
Spans = tuple[Span, ...]
Token = tuple[str, int, int]
#: Feature name -> spans, in the order features are first seen; every value is 1 unless noted.
_RawFeatures = dict[str, list[Span]]


@dataclass(frozen=True)
class Prediction:
    """One classifier decision, with the words that pushed it."""

    label: str
    """The most probable label."""
    probabilities: dict[str, float]
    """Probability of every label; they sum to 1."""
    explain: Callable[[], Spans] = field(default=tuple, repr=False, compare=False)
    """Works out the evidence when it is first asked for (most callers never ask)."""

    @cached_property
    def evidence(self) -> Spans:
        """Character spans in the response behind the label, strongest first."""
        return self.explain()


class Features(Mapping[str, tuple[float, Spans]]):
    """A response's features: name -> (value, spans in the response), in the order first seen.

    Every value is 1 except the few in `weighted`; the spans are kept as found and made into
    tuples only when a feature is looked up, since scoring reads just the names and values.
    """

    __slots__ = ("spans", "weighted")

    def __init__(self, spans: dict[str, list[Span]], weighted: dict[str, float]) -> None:
        self.spans = spans
        """Feature name -> the spans it was seen at."""
        self.weighted = weighted
        """The features whose value is not 1."""

    def __getitem__(self, name: str) -> tuple[float, Spans]:
        return self.weighted.get(name, 1.0), tuple(self.spans[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)


@dataclass(frozen=True)
class CueIndex:
    """A cue lexicon ready for matching: phrases by their first word."""

    by_first_word: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    """First word -> (phrase as words, cue group) pairs, longest phrase first."""
    fillers: frozenset[str]
    """Discourse fillers ("okay", "mm-hmm", "so") skipped when finding how a sentence opens."""
    feelings: frozenset[str]
    """Single feeling words, to tell a named feeling the client stated from a new one."""
    function_words: frozenset[str] = frozenset()
    """Words never shown as evidence on their own."""


def cue_index(lexicon: Mapping[str, Sequence[str]]) -> CueIndex:
    """Compile a lexicon: group -> phrases, each phrase found in a response is feature cue:group.

    Special groups: "filler" (skipped where a sentence opens, not a cue), "function" (never
    evidence on their own, not a cue) and "feeling" (a cue; single words are also checked
    against the client's words).
    """
    entries: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for group, phrases in lexicon.items():
        if group in ("filler", "function"):
            continue
        for phrase in phrases:
            words = tuple(w for w, _, _ in _tokens(phrase))
            if words:
                entries.setdefault(words[0], []).append((words, group))
    return CueIndex(
        by_first_word={
            first: tuple(sorted(pairs, key=lambda p: -len(p[0])))
            for first, pairs in entries.items()
        },
        fillers=frozenset(w for p in lexicon.get("filler", ()) for w, _, _ in _tokens(p)),
        feelings=frozenset(_token_norm(p) for p in lexicon.get("feeling", ()) if " " not in p),
        function_words=frozenset(_token_norm(p) for p in lexicon.get("function", ())),
    )


_NO_CUES = CueIndex({}, frozenset(), frozenset())


@dataclass(frozen=True, eq=False)
class _Group:
    """Models that read the same features, scored together with one look-up per feature."""

    uses_context: bool
    """Whether the features read the client statement."""
    questions_only: bool
    """Whether words come only from the response's questions (see `featurize`)."""
    index: dict[str, int]
    """Feature name -> its row of weights."""
    rows: list[tuple[float, ...]]
    """Each feature's weights: the columns of every model of the group, side by side."""
    quiet: frozenset[str]
    """Features of the index that never supply evidence: single function words."""


@dataclass(frozen=True)
class _Model:
    """A logistic-regression model: its labels, intercepts and columns in its group's rows."""

    labels: tuple[str, ...]
    intercept: tuple[float, ...]
    group: _Group
    first: int
    """The model's first column in the group's rows; it has one column per label."""


@dataclass(frozen=True)
class _Shipped:
    """The shipped models and the lexicon their features were built with."""

    models: dict[str, _Model]
    cues: CueIndex


class _Scores(NamedTuple):
    """A response's features as one group's models see them, summed once for all of them."""

    features: Features
    present: list[str]
    """The features the group has weights for."""
    totals: list[float]
    """Each column's sum of the present features' weights times their values."""


def _token_norm(token: str) -> str:
    """Lowercase a token, unify apostrophes and collapse numbers to 0."""
    norm = token.lower().replace("’", "'")
    return "0" if norm.isdigit() else norm


def _tokens(text: str) -> list[Token]:
    """Words of text with their character spans."""
    if text.isascii():
        # Lowercasing ASCII keeps every character in place and in its class, so the matches of
        # the lowered text are the normalised tokens at the same spans. Between two matches
        # there is no letter or digit, so the next place a token's text occurs is its match.
        lowered = text.lower()
        tokens: list[Token] = []
        end = 0
        for word in _ASCII_TOKEN.findall(lowered):
            start = lowered.find(word, end)
            end = start + len(word)
            tokens.append(("0" if word.isdigit() else word, start, end))
        return tokens
    return [(_token_norm(m[0]), *m.span()) for m in _TOKEN.finditer(text)]


def _sentences(text: str, tokens: list[Token]) -> list[tuple[list[Token], bool]]:
    """Tokens sentence by sentence, each with whether the sentence ends with a question mark."""
    out: list[tuple[list[Token], bool]] = []
    position = 0
    start = 0
    bounds = [(m.end(), "?" in m.group()) for m in _SENTENCE_END.finditer(text)]
    bounds.append((len(text) + 1, False))
    for end, question in bounds:
        words: list[Token] = []
        while position < len(tokens) and tokens[position][1] < end:
            if tokens[position][1] >= start:
                words.append(tokens[position])
            position += 1
        if words:
            out.append((words, question))
        start = end
    return out


def _add(raw: _RawFeatures, name: str, span: Span | None) -> None:
    """Record a binary feature, with one more span when given."""
    spans = raw.get(name)
    if spans is None:
        raw[name] = [] if span is None else [span]
    elif span is not None:
        spans.append(span)


def _bin(n: int, bins: tuple[tuple[int, str], ...], top: str) -> str:
    """Name of the bucket n falls in."""
    for limit, name in bins:
        if n <= limit:
            return name
    return top


def _opening(raw: _RawFeatures, prefix: str, words: list[Token], fillers: frozenset[str]) -> None:
    """How a stretch of words opens, leading fillers skipped: first word and first pair."""
    k = 0
    while k < len(words) and words[k][0] in fillers:
        k += 1
    if k == len(words):
        _add(raw, prefix + "<filler>", None)
        return
    word, start, end = words[k]
    _add(raw, prefix + word, (start, end))
    if k + 1 < len(words):
        _add(raw, prefix + word + " " + words[k + 1][0], (start, words[k + 1][2]))


def featurize(
    response: str,
    client_statement: str = "",
    *,
    cues: CueIndex = _NO_CUES,
    questions_only: bool = False,
) -> Features:
    """Features of a response in its context: name -> (value, spans in the response).

    Reads at most MAX_CHARS characters of each text. With `questions_only`, words come only
    from the sentences that end with a question mark (when there are any), so the question
    decides its own type. The training script calls this very function.
    """
    text = response[:MAX_CHARS]
    raw: _RawFeatures = {}
    by_first_word = cues.by_first_word
    tokens = _tokens(text)
    sentences = _sentences(text, tokens)
    if tokens:
        _opening(raw, "f:", tokens, cues.fillers)
    asks = any(question for _, question in sentences)
    for words, question in sentences:
        _opening(raw, "s:", words, cues.fillers)
        if question:
            _opening(raw, "q:", words, cues.fillers)
        if questions_only and asks and not question:
            continue
        names = [w for w, _, _ in words]
        last = len(words) - 1
        for i, (word, start, end) in enumerate(words):
            # Inlined _add: this loop is most of the work, and the order features are first
            # seen (words, then pairs, then cues, word by word) must stay as it is.
            name = "w:" + word
            spans = raw.get(name)
            if spans is None:
                raw[name] = [(start, end)]
            else:
                spans.append((start, end))
            if i < last:
                name = "b:" + word + " " + names[i + 1]
                spans = raw.get(name)
                if spans is None:
                    raw[name] = [(start, words[i + 1][2])]
                else:
                    spans.append((start, words[i + 1][2]))
            phrases = by_first_word.get(word)
            if phrases:
                for phrase, group in phrases:
                    k = len(phrase)
                    if k == 1 or (i + k <= len(names) and tuple(names[i : i + k]) == phrase):
                        _add(raw, "cue:" + group, (start, words[i + k - 1][2]))
                        break
    # Structure: question marks, length, second person.
    stripped = text.rstrip()
    first_mark = text.find("?")
    if first_mark >= 0:
        _add(raw, "has_q", (first_mark, first_mark + 1))
    if stripped.endswith("?"):
        _add(raw, "ends_q", (len(stripped) - 1, len(stripped)))
    _add(raw, "len:" + _bin(len(tokens), _LENGTH_BINS, "41+"), None)
    weighted: dict[str, float] = {}
    you = [(s, e) for w, s, e in tokens if w in _SECOND_PERSON]
    if you:
        raw["you_share"] = you
        weighted["you_share"] = min(1.0, 4.0 * len(you) / len(tokens))
    # Context: how much the response echoes the client, what it adds, feelings named.
    blank, asked, client_words = _client(client_statement[:MAX_CHARS])
    if blank:
        _add(raw, "ctx:none", None)
        return Features(raw, weighted)
    if asked:
        _add(raw, "ctx:q", None)
    content = [(w, s, e) for w, s, e in tokens if len(w) >= _CONTENT_LENGTH]
    if content:
        echoed = [(s, e) for w, s, e in content if w in client_words]
        raw["overlap"] = echoed
        weighted["overlap"] = len(echoed) / len(content)
    new_words = {w for w, _, _ in content if w not in client_words}
    _add(raw, "new:" + _bin(len(new_words), _NEW_WORD_BINS, "11+"), None)
    feelings = cues.feelings
    for word, start, end in tokens:
        if word in feelings:
            _add(raw, "feel:stated" if word in client_words else "feel:new", (start, end))
    return Features(raw, weighted)


@lru_cache(maxsize=256)
def _client(context: str) -> tuple[bool, bool, frozenset[str]]:
    """What featurize reads of a client statement: whether it is blank, whether it asks, and
    its words. Cached, since a batch scores many responses to the same statement."""
    if not context.strip():
        return True, False, frozenset()
    words = frozenset(w for w, _, _ in _tokens(context))
    return False, context.rstrip().endswith("?"), words


@lru_cache(maxsize=1)
def _shipped() -> _Shipped:
    """Load the shipped weights and lexicon once; models that read the same features share a
    group."""
    source = resources.files("empathy_training").joinpath("data", _WEIGHTS_FILE)
    data = json.loads(source.read_text(encoding="utf-8"))
    cues = cue_index(data["lexicon"])
    specs: dict[tuple[bool, bool], dict[str, dict[str, Any]]] = {}
    for name, spec in data["models"].items():
        key = (bool(spec["uses_context"]), bool(spec["questions_only"]))
        specs.setdefault(key, {})[name] = spec
    models: dict[str, _Model] = {}
    for (uses_context, questions_only), members in specs.items():
        models.update(_group(members, uses_context, questions_only, cues.function_words))
    return _Shipped(models=models, cues=cues)


def _group(
    specs: Mapping[str, Mapping[str, Any]],
    uses_context: bool,
    questions_only: bool,
    function_words: frozenset[str],
) -> dict[str, _Model]:
    """Build the models of one group from their JSON form, their weights side by side.

    A binary model stores one weight per feature, scoring the second label against the first;
    here it gets a zero column for the first label, so every model scores with a softmax.
    """
    names = sorted({feature for spec in specs.values() for feature in spec["weights"]})
    index = {feature: row for row, feature in enumerate(names)}
    rows: list[list[float]] = [[] for _ in names]
    placed: list[tuple[str, tuple[str, ...], tuple[float, ...], int]] = []
    width = 0
    for name, spec in specs.items():
        labels = tuple(str(label) for label in spec["labels"])
        intercept = tuple(float(b) for b in spec["intercept"])
        binary = len(intercept) == 1
        columns = len(labels)
        for feature, row in index.items():
            weights = spec["weights"].get(feature)
            if weights is None:
                rows[row].extend([0.0] * columns)
            elif binary:
                rows[row].extend([0.0, float(weights[0])])
            else:
                rows[row].extend(float(w) for w in weights)
        placed.append((name, labels, (0.0, *intercept) if binary else intercept, width))
        width += columns
    quiet = frozenset(f for f in names if f.startswith("w:") and f[2:] in function_words)
    group = _Group(uses_context, questions_only, index, [tuple(r) for r in rows], quiet)
    return {
        name: _Model(labels, intercept, group, first) for name, labels, intercept, first in placed
    }


def _models() -> dict[str, _Model]:
    """The shipped models by name."""
    return _shipped().models


@lru_cache(maxsize=512)
def _scores(group: _Group, response: str, client_statement: str) -> _Scores:
    """A response's weighted features summed for every model of a group at once (kept, so the
    next model of the group asking about the same response finds them)."""
    features = featurize(
        response, client_statement, cues=_shipped().cues, questions_only=group.questions_only
    )
    index = group.index
    weights = group.rows
    present = [name for name in features.spans if name in index]
    rows = [weights[index[name]] for name in present]
    totals = [sum([row[j] for row in rows]) for j in range(len(weights[0]))]
    for name, value in features.weighted.items():
        row = index.get(name)
        if row is not None:  # its row was added once: add the rest of value times it
            totals = [t + (value - 1.0) * w for t, w in zip(totals, weights[row], strict=True)]
    return _Scores(features, present, totals)


def _predict(model_name: str, response: object, client_statement: object) -> Prediction:
    """Score one response with one model; any text gives a valid prediction."""
    model = _models()[model_name]
    text = response[:MAX_CHARS] if isinstance(response, str) else ""
    context = client_statement[:MAX_CHARS] if isinstance(client_statement, str) else ""
    scores = _scores(model.group, text, context if model.group.uses_context else "")
    first = model.first
    logits = [b + t for b, t in zip(model.intercept, scores.totals[first:], strict=False)]
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    probs = [e / total for e in exps]
    best = probs.index(max(probs))
    probabilities = dict(zip(model.labels, probs, strict=True))
    return Prediction(
        model.labels[best], probabilities, partial(_evidence, scores, model, best, probs, text)
    )


def _evidence(scores: _Scores, model: _Model, best: int, probs: list[float], text: str) -> Spans:
    """Spans of the few features that pushed most toward the label, strongest first.

    A feature's push is how much it raised the log-probability of the label. Only the features
    that pushed toward the label are looked at, strongest first, until EVIDENCE_FEATURES of them
    supplied spans; function words supply none. Spans that overlap, or that only whitespace
    separates, are joined into one.
    """
    first, last = model.first, model.first + len(model.labels)
    group, weighted = model.group, scores.features.weighted
    pushes = []
    for name in scores.present:
        row = group.rows[group.index[name]][first:last]
        push = row[best] - sum(w * p for w, p in zip(row, probs, strict=True))
        pushes.append(push * weighted.get(name, 1.0))
    chosen: list[Span] = []
    used = 0
    for i in sorted(range(len(pushes)), key=lambda i: -pushes[i]):
        if used >= EVIDENCE_FEATURES or pushes[i] <= 0:
            break
        name = scores.present[i]
        where = () if name in model.group.quiet else scores.features.spans[name]
        if where:
            used += 1
            chosen.extend(where[:EVIDENCE_SPANS_PER_FEATURE])
    merged: list[Span] = []
    for start, end in chosen:
        touching = [m for m in merged if _touch((start, end), m, text)]
        while touching:
            for m in touching:
                merged.remove(m)
                start, end = min(start, m[0]), max(end, m[1])
            touching = [m for m in merged if _touch((start, end), m, text)]
        merged.append((start, end))
    return tuple(sorted(merged, key=lambda m: _first(m, chosen)))


def _touch(a: Span, b: Span, text: str) -> bool:
    """Whether two spans overlap or only whitespace lies between them."""
    (_, end), (start, _) = sorted((a, b))
    return start <= end or not text[end:start].strip()


def _first(merged: Span, chosen: list[Span]) -> int:
    """Rank of the strongest chosen span inside a merged span."""
    return next(
        (rank for rank, (s, e) in enumerate(chosen) if merged[0] <= s and e <= merged[1]),
        len(chosen),
    )


def predict_behaviour(response: str, client_statement: str = "") -> Prediction:
    """Classify a response as reflection, question, input or other (MITI / AnnoMI codes)."""
    return _predict("behaviour", response, client_statement)


def predict_reflection_depth(response: str, client_statement: str = "") -> Prediction:
    """Classify a reflection as simple or complex (meant for responses that reflect)."""
    return _predict("reflection_depth", response, client_statement)


def predict_question_type(response: str) -> Prediction:
    """Classify the question a response asks as open or closed."""
    return _predict("question_type", response, "")
