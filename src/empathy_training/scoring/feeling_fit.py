"""Whether a feeling a response puts on the client fits them: telling a client who is distressed
now that they feel something pleasant ("you sound happy about it" to a frightened client) is an
inaccurate attempt, which the labelling guide counts as no reflection (level 2). Checked
narrowly (see lexicon-feelings.yml, `pleasant_states`): a pleasant feeling often fits."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from .client import Client
from .data_files import lexicon
from .feelings import NEGATORS, self_feelings
from .findings import Spans
from .matching import alternation
from .text import Text
from .words import normalise

_NEGATION = re.compile(rf"\b(?:{alternation(NEGATORS)})\b|n't\b")
#: Words just before "you feel ..." that make it a wish or a condition, not what they feel now.
_NOT_SAID_OF_THEM = re.compile(
    r"\b(?:help|helps|helped|make|makes|made|let|lets|want|wanted|need|hope|wish|if|when|"
    r"whenever|until|once|unless)\s+$"
)


class _Lists(NamedTuple):
    state: re.Pattern[str]
    tail: re.Pattern[str]
    past: re.Pattern[str]
    pleasant: frozenset[str]
    neutral: frozenset[str]


@cache
def _lists() -> _Lists:
    data = lexicon("lexicon-feelings")
    return _Lists(
        state=re.compile(
            rf"\b(?:{alternation(data['state_openers'])})\s+"
            rf"(?:(?:{alternation(data['state_fillers'])})\s+)*"
            rf"(?P<state>{alternation(data['pleasant_states'])})\b"
        ),
        tail=re.compile(rf"^\s*(?:(?:{alternation(data['state_tails'])})\b)?[\s.!]*$"),
        past=re.compile(rf"\b(?:{alternation(data['past_frames'])})\b[^.!?]*$"),
        pleasant=frozenset(data["pleasant_families"]),
        neutral=frozenset(data["neutral_families"]),
    )


def _pleasant_told(text: Text, lists: _Lists) -> Spans:
    """Where the response tells the client they feel a pleasant state, plainly and as a whole
    sentence's point ("You seem relieved about it.")."""
    lowered = normalise(text.original).lower()
    if len(lowered) != len(text.original):  # a rare letter lower-cases longer: offsets would move
        return []
    found: Spans = []
    for sentence in text.sentences:
        if sentence.is_question:
            continue
        part = lowered[sentence.start : sentence.end]
        for match in lists.state.finditer(part):
            before = part[: match.start()]
            if _NEGATION.search(before) or _NOT_SAID_OF_THEM.search(before):
                continue
            if not lists.tail.match(part[match.end() :]):
                continue
            found.append((sentence.start + match.start("state"), sentence.start + match.end()))
    return found


def _distressed_now(statement: Text, lists: _Lists) -> bool:
    """Whether the client puts distress on themselves in the present and names nothing pleasant."""
    if any(set(f.families) & lists.pleasant for f in statement.feelings if not f.negated):
        return False
    for feeling in self_feelings(statement, situations=True):
        if set(feeling.families) <= lists.pleasant | lists.neutral:
            continue
        if not lists.past.search(statement.original[max(0, feeling.start - 40) : feeling.start]):
            return True
    return False


def misfit_feelings(text: Text, client: Client) -> Spans:
    """Where the response tells a client who is distressed now that they feel something
    pleasant ("you seem relieved"), unless the response names another feeling or says "part of
    you" (it may be two-sided), or the answer key lists a pleasant unstated feeling."""
    lists = _lists()
    if client.statement is None:
        return []
    told = _pleasant_told(text, lists)
    if not told or re.search(r"\bpart of you\b", text.original, re.IGNORECASE):
        return []
    if any(not f.negated and not set(f.families) <= lists.pleasant for f in text.feelings):
        return []
    if client.key is not None and any(i.families & lists.pleasant for i in client.key.unstated):
        return []
    return told if _distressed_now(client.statement, lists) else []
