"""Risk: the exact words of a risk cue, and how a response handles the client's cue."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from ..models import Vignette
from . import classifiers as learned
from .answer_key import KeyResult
from .data_files import lexicon

_QUOTES = str.maketrans({"’": "'", "‘": "'"})


@cache
def _pattern(group: str) -> re.Pattern[str]:
    phrases = sorted(lexicon("risk-words")[group], key=len, reverse=True)
    words = (r"\s+".join(re.escape(w) for w in p.split()) for p in phrases)
    return re.compile(r"(?<![\w'])(?:" + "|".join(words) + r")(?![\w'])", re.IGNORECASE)


def explicit_cue(statement: str) -> bool:
    """Whether a client statement names a risk in so many words."""
    return _pattern("explicit").search(statement.translate(_QUOTES)) is not None


def asks_directly(response: str) -> bool:
    """Whether a response asks, or names, the risk plainly (suicide, harming oneself, abuse)."""
    return _pattern("asks_directly").search(response.translate(_QUOTES)) is not None


def direct_question(kind: str) -> str:
    """The plain question feedback suggests for a kind of risk cue."""
    questions = lexicon("risk-words")["questions"]
    return str(questions.get(kind, questions["default"]))


def risk_present(vignette: Vignette | None, statement_text: str) -> bool:
    """Whether the client's words carry a risk cue: the vignette's key says, else the model."""
    if vignette is not None:
        return bool(vignette.answer_key.risk_cues)
    if not statement_text.strip():
        return False
    if explicit_cue(statement_text):
        return True
    return learned.statement_risk(statement_text) >= learned.RISK_THRESHOLD


def risk_handling(
    judged: learned.Judgements, cue_present: bool, key: KeyResult | None, response: str
) -> str | None:
    """How the response handles the client's risk cue: the model's judgement, with two exact
    rules. Asking plainly about the risk always takes the cue up (unless the model sees a safety
    error), and against a vignette a cue the response neither names in the key's words nor asks
    about is passed over."""
    if not cue_present:
        return None
    handling = judged.top("risk_handling")
    if handling == "safety_error":
        return handling
    if asks_directly(response):
        return "taken_up"
    every_cue_missed = (
        key is not None
        and bool(key.risk_cues)
        and len(key.accuracy.missed_risks) == len(key.risk_cues)
    )
    return "passed_over" if handling == "taken_up" and every_cue_missed else handling


def with_risk(key: KeyResult | None, handling: str | None) -> KeyResult | None:
    """The key's result with its missed risks as judged: none when the cue was taken up, every
    cue when it was passed over or mishandled."""
    if key is None or not key.risk_cues or handling is None:
        return key
    missed = () if handling == "taken_up" else tuple(key.risk_cues)
    return key._replace(accuracy=replace(key.accuracy, missed_risks=missed))
