"""The exact words of risk: explicit cues in what a client says, and asking about them plainly.

Rules for what is exact (DESIGN.md), read from `rubrics/risk-words.yml`: a statement that says
"kill myself" carries a risk cue whatever a model thinks, and a response that asks "are you
thinking of ending your life?" has taken the cue up. The fuzzy rest is the models' call.
"""

from __future__ import annotations

import re
from functools import cache

from .data_files import lexicon

__all__ = ["asks_directly", "direct_question", "explicit_cue"]

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
