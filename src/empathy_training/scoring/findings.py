"""What the rules find in one response, and the spans of it they cite."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..models import Span
from .feelings import Feeling
from .text import Text

#: Share of a phrase's content words a response must use to catch an answer-key item.
CATCH_SHARE = 0.5
#: Words after a modal or a cue still checked against the client's statement (see `echo_span`).
ECHO_WORDS = 5
#: Words that speak to the client.
SECOND_PERSON_WORDS = frozenset(
    {"you", "your", "you're", "you've", "you'd", "you'll", "yours", "yourself", "youre", "ur"}
)
Spans = list[tuple[int, int]]


class Roadblock(NamedTuple):
    """A roadblock found in a response."""

    category: str
    start: int
    end: int


class Reflective(NamedTuple):
    """A clause that says back what the client said."""

    start: int
    end: int
    strength: float
    kind: str


@dataclass
class Findings:
    """Everything the detectors found in one response."""

    text: Text
    statement: Text | None
    roadblocks: list[Roadblock]
    reflective: list[Reflective]
    questions: list[int]
    feelings: list[Feeling]
    new_feelings: list[Feeling]
    apt_feelings: list[Feeling]
    cues: dict[str, Spans] = field(default_factory=dict)
    """Cue words a later step reads: 'meaning' (see `find_depth`) and 'invalidating' (see
    `validation_level`)."""
    off_topic: list[str] = field(default_factory=list)
    """Words of a reflection about something the client never mentioned (see `find_off_topic`)."""
    misfit: Spans = field(default_factory=list)
    """Feelings the response puts on the client that do not fit what they said (see
    `misfit_feelings`): an inaccurate attempt, no reflection."""
    depth: str = "none"
    depth_evidence: Spans = field(default_factory=list)
    apt: bool = False
    apt_evidence: Spans = field(default_factory=list)


def question_spans(found: Findings) -> Spans:
    """The question part of each question the response asks."""
    sentences = found.text.sentences
    return [(sentences[i].question_start, sentences[i].end) for i in found.questions]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans share a character."""
    return a[0] < b[1] and b[0] < a[1]


def any_overlap(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    """Whether a span shares a character with any of the others."""
    return any(overlaps(span, s) for s in spans)


def in_question(text: Text, pos: int) -> bool:
    """Whether an offset lies in the question part of a question."""
    sentence = text.sentences[text.sentence_at(pos)] if text.sentences else None
    return bool(sentence and sentence.is_question and pos >= sentence.question_start)


def clause_end(text: Text, pos: int, default: int) -> int:
    """Where the clause holding an offset ends (`default` when no clause holds it)."""
    return next((c.end for c in text.clauses if c.start <= pos < c.end), default)


def repeats_client(stems: frozenset[str], statement: Text) -> bool:
    """Whether more than CATCH_SHARE of some content stems are the client's."""
    return bool(stems) and len(stems & statement.stems) / len(stems) > CATCH_SHARE


def make_spans(text: Text, spans: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
    """The Span objects for offsets into a text, in order: each made once and kept with the
    text, shared by every list of evidence (and every rubric) that cites the same words."""
    book: dict[tuple[int, int], Span] = text.kept("spans")
    out = []
    for span in sorted(set(spans)):
        found = book.get(span)
        if found is None:
            found = book[span] = Span(span[0], span[1], text.original[span[0] : span[1]])
        out.append(found)
    return tuple(out)


def make_span(text: Text, span: tuple[int, int]) -> Span:
    """The Span object for one pair of offsets (see `make_spans`)."""
    return make_spans(text, (span,))[0]
