"""Whether a feeling a response puts on the client fits them: telling a client who named only
distress that they feel something pleasant ("you sound happy about it" to a frightened client)
is an inaccurate attempt, which the labelling guide counts as no reflection (level 2)."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

from .client import Client
from .data_files import lexicon
from .findings import Spans
from .text import Text
from .words import normalise

#: Words just before "you feel ..." that make it a wish or a condition, not what they feel now.
_NOT_SAID_OF_THEM = re.compile(
    r"\b(?:help|helps|helped|make|makes|made|let|lets|want|wanted|need|hope|wish|if|when|"
    r"whenever|until|once|unless)\s+$"
)


class _Lists(NamedTuple):
    state: re.Pattern[str]
    pleasant: frozenset[str]
    neutral: frozenset[str]


def _alternatives(words: list[str]) -> str:
    escaped = sorted((re.escape(" ".join(w.split())) for w in words), key=len, reverse=True)
    return "|".join(e.replace(r"\ ", r"\s+") for e in escaped)


@cache
def _lists() -> _Lists:
    data = lexicon("lexicon-feelings")
    state = re.compile(
        rf"\b(?:{_alternatives(data['state_openers'])})\s+"
        rf"(?:(?:{_alternatives(data['state_fillers'])})\s+)*"
        rf"(?P<state>{_alternatives(data['pleasant_states'])})\b"
    )
    return _Lists(state, frozenset(data["pleasant_families"]), frozenset(data["neutral_families"]))


def misfit_feelings(text: Text, client: Client) -> Spans:
    """Where the response tells the client they feel something pleasant ("you seem relieved")
    although the client named distress and nothing pleasant (see lexicon-feelings.yml,
    `pleasant_states`); empty when the feeling might fit or the response is two-sided."""
    lists = _lists()
    stated = client.stated_families
    if not stated - lists.neutral - lists.pleasant or stated & lists.pleasant:
        return []
    if client.key is not None and any(i.families & lists.pleasant for i in client.key.unstated):
        return []
    if any(not set(f.families) <= lists.pleasant for f in text.feelings):
        return []
    lowered = normalise(text.original).lower()
    if len(lowered) != len(text.original):  # a rare letter lower-cases longer: offsets would move
        return []
    said = client.said
    found: Spans = []
    for sentence in text.sentences:
        if sentence.is_question:
            continue
        part = lowered[sentence.start : sentence.end]
        for match in lists.state.finditer(part):
            after = part[match.end() :]
            if re.search(r"\bpart of you\b", part) or re.search(r"\bbut\b", after):
                continue
            if _NOT_SAID_OF_THEM.search(part[: match.start()]):
                continue
            if re.search(rf"\b{match.group('state')}\b", said):
                continue
            found.append((sentence.start + match.start("state"), sentence.start + match.end()))
    return found
