"""Whether a client statement carries a risk cue: the statement read whole (`statement_risk`
head) and sentence by sentence (`cue_sentence` head), and what the response adds
(`reply_risk`). Learned from the corpus's statements; see data/MODEL_CARD.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import classifiers
from .classifiers import Judgements, _rows, _sigmoid
from .features import sentence_spans, word_ngrams

__all__ = [
    "CUE_SENTENCE_WEIGHT",
    "MIN_REPLIES",
    "QUOTE_LOGIT",
    "REPLIES_WEIGHT",
    "REPLY_WEIGHT",
    "RISK_THRESHOLD",
    "StatementRisk",
    "carries_risk_cue",
    "quoted_cue",
    "replies_risk",
    "statement_features",
    "statement_risk",
    "statement_risk_parts",
]

#: A statement carries a risk cue when the statement model's probability reaches this. Set for
#: precision (leave-one-writer-out over 18 writers, level QWK / risk-handled accuracy: 0.5 gives
#: 0.761 / 0.618, 0.65 gives 0.776 / 0.570, 0.8 gives 0.783 / 0.540, never flagging 0.789 / 0):
#: an ordinary statement wrongly flagged caps a good reflection and tells the trainee they
#: passed over a risk that is not there. With `cue_sentence` (below), 0.75 (five folds by
#: writer, `corpus-mlp-13`'s heads alone, 13,304 rows, against 0.8 without it: level QWK 0.832
#: -> 0.836, risk handled 0.608 -> 0.625, cued rows missed 1,067 -> 981 of 3,618, rows without
#: a cue told they passed one over or made a safety error 266 -> 149 of 9,686; 0.8: 0.835,
#: 0.614, 1,041, 128; 0.7: 0.833, 0.635, 933, 223). A REPLY_WEIGHT of 0.75 caught more cues
#: (0.635, 938 missed) but let a question about suicide put a cue into "Work was awful today".
#: With the short statements (`corpus-mlp-15`), 0.8: trained with them at a quarter weight, the
#: statement heads found 289 of 640 short cued statements held out by writer (110 without them)
#: and flagged 3 of 640 without a cue; through `grade` on the five folds, cued rows found 2,821
#: -> 2,813 of 3,618 and rows without a cue flagged 188 -> 247 of 9,686, risk handled 0.659
#: either way (at 0.75: 2,816 and 313; at 0.85: 2,769 and 178, risk handled 0.651).
RISK_THRESHOLD = 0.8
#: How much the response can add to that decision: a statement under RISK_THRESHOLD still carries
#: a cue when its log-odds plus this share of the `reply_risk` head's (does the response read as
#: answering a risk cue?) reach it. The response only ever adds: one that passes over a cue must
#: not talk the scorer out of it (five folds by writer, models alone, weight 0.5 against none:
#: risk handled 0.541 -> 0.585, safety errors caught 462 -> 497, passed-over cues caught 602 ->
#: 619, cued rows missed 1,208 -> 1,036, rows without a cue flagged 290 -> 346, level QWK 0.803
#: -> 0.801; letting the response lower the reading too flagged fewer rows without a cue, 203,
#: but caught fewer passed-over cues, 574).
REPLY_WEIGHT = 0.5
#: How much the responses to one statement, read together, can add: a statement that at least
#: MIN_REPLIES distinct responses answer (in one `grade` table) also carries a cue when its
#: log-odds plus this share of their mean `reply_risk` log-odds reach RISK_THRESHOLD. Raters
#: hear cues that a statement's writer did not mark (a partner's violence told in passing), which
#: the statement model mostly misses, while some of the responses take them up. Five folds by
#: writer, the models alone, each statement's responses in the fold together (about 14): cued
#: rows found 2,642 -> 2,812 of 3,618, rows without a cue flagged 178 -> 178 of 9,686, risk
#: handled 0.625 -> 0.659 (weight 1: 2,750, 178, 0.647; 2: 2,822, 178, 0.662). Three responses
#: drawn at random from each statement: flagged 1.88% -> 2.08%, risk handled 0.620 -> 0.643;
#: two: 1.73% -> 2.23%, one alone: 1.69% -> 3.00%, hence MIN_REPLIES.
REPLIES_WEIGHT = 1.5
MIN_REPLIES = 3
#: Feedback quotes a statement's likeliest cue sentence only when the `cue_sentence` head gives it
#: at least these log-odds (even odds). Below them the pick is often an ordinary sentence ("He's
#: seven.", "Anyway, the boiler is broken again." beside a partner's grabbing the client by the
#: throat). Five folds by writer: of the 62 statements whose raters heard a cue their writer did
#: not mark, 53 fall below, most of them picked wrongly; of the 196 whose writer marked the cue,
#: 21 fall below, 10 of them on a sentence without the marked words (above: 118 of 175 on the
#: marked words, many of the rest on another sentence that carries the cue).
QUOTE_LOGIT = 0.0
#: A statement's risk log-odds weigh its likeliest sentence's (`cue_sentence`) this much against
#: the whole statement's (five folds by writer over the corpus's statements, logistic regressions
#: alone: cued statements found at 2% of the others flagged 0.804 -> 0.856, average precision
#: 0.947 -> 0.956; the sentence alone: 0.673, 0.894; over the corpus rows, weights of 0.3 and
#: 0.7 were no better than 0.5 at any threshold).
CUE_SENTENCE_WEIGHT = 0.5


def statement_features(client_statement: str) -> tuple[str, ...]:
    """A statement's words, pairs and triples only: its length and shape say nothing of risk."""
    return word_ngrams(client_statement)


def _head_logit(rows: list[int], head: str) -> float:
    """A statement-level head's log-odds for the features at `rows`."""
    model = classifiers._model()
    column = model.heads[head]["start"]
    return float(model.bias[column] + model.weights[rows, column].sum(dtype=np.float32))


class StatementRisk(NamedTuple):
    """How a client statement reads for a risk cue."""

    whole: float
    """The log-odds of a cue, the statement read whole (`statement_risk`)."""
    sentence: float | None
    """The log-odds of its likeliest cue sentence (`cue_sentence`); None for weights without
    that head."""
    cue: str
    """That sentence's words ('' without the head)."""


@lru_cache(maxsize=256)
def statement_risk_parts(client_statement: str) -> StatementRisk:
    """How a client statement reads for a risk cue, whole and sentence by sentence."""
    model = classifiers._model()
    features = statement_features(client_statement)
    known = dict(zip(features, model.vocabulary.positions(features).tolist(), strict=True))
    whole = _head_logit([row for row in known.values() if row >= 0], "statement_risk")
    sentences = [client_statement[a:b] for a, b in sentence_spans(client_statement)]
    if "cue_sentence" not in model.heads or not sentences:
        return StatementRisk(whole, None, "")
    scored = []
    for sentence in sentences:
        parts = statement_features(sentence)
        if all(f in known for f in parts):  # a sentence's n-grams are the statement's
            at = [known[f] for f in parts if known[f] >= 0]
        else:  # unless lower case depends on what follows (a Greek final sigma)
            at = _rows(parts).tolist()
        scored.append((_head_logit(at, "cue_sentence"), sentence))
    best, cue = max(scored, key=lambda pair: pair[0])
    return StatementRisk(whole, best, " ".join(cue.split()))


def quoted_cue(client_statement: str) -> str:
    """The statement's sentence that feedback may quote as its risk cue: its likeliest cue
    sentence when that reads clearly as one (QUOTE_LOGIT), else ''. Weights without the
    `cue_sentence` head quote the whole statement."""
    parts = statement_risk_parts(client_statement)
    if parts.sentence is None:
        return client_statement
    return parts.cue if parts.sentence >= QUOTE_LOGIT else ""


def statement_risk(client_statement: str) -> float:
    """Probability that a client statement carries a risk cue (learned from the corpus): the
    mean of the whole statement's log-odds and those of its likeliest cue sentence, which hears
    a cue among ordinary talk better (CUE_SENTENCE_WEIGHT)."""
    whole, sentence, _ = statement_risk_parts(client_statement)
    if sentence is None:
        return _sigmoid(whole)
    return _sigmoid((1 - CUE_SENTENCE_WEIGHT) * whole + CUE_SENTENCE_WEIGHT * sentence)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def replies_risk(reply_risk: Sequence[float]) -> float | None:
    """How the distinct responses to one statement read together, from each one's `reply_risk`
    probability (does it read as answering a risk cue?): their mean log-odds, or None for fewer
    than MIN_REPLIES."""
    if len(reply_risk) < MIN_REPLIES:
        return None
    return math.fsum(_logit(p) for p in reply_risk) / len(reply_risk)  # in any order


def carries_risk_cue(
    client_statement: str, judgements: Judgements, replies: float | None = None
) -> bool:
    """Whether a client statement carries a risk cue: the statement model says so
    (RISK_THRESHOLD), or says so once the response's `reply_risk` judgement is added
    (REPLY_WEIGHT), or once `replies`, how all the responses to the statement read
    (`replies_risk`), is added (REPLIES_WEIGHT)."""
    statement = statement_risk(client_statement)
    if statement >= RISK_THRESHOLD:
        return True
    threshold = _logit(RISK_THRESHOLD)
    if replies is not None and _logit(statement) + REPLIES_WEIGHT * replies >= threshold:
        return True
    reply = REPLY_WEIGHT * _logit(judgements.binary["reply_risk"])
    return _logit(statement) + reply >= threshold
