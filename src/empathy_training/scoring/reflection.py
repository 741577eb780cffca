"""Reflections by the rules: clauses that say back what the client said, or miss their topic."""

from __future__ import annotations

from collections.abc import Sequence

from .client import Client, shares
from .findings import (
    CATCH_SHARE,
    ECHO_WORDS,
    SECOND_PERSON_WORDS,
    Reflective,
    Roadblock,
    Spans,
    any_overlap,
    clause_end,
    in_question,
    repeats_client,
)
from .lexicons import Lexicons
from .matching import find_all, find_at_starts, opening_positions
from .text import Text
from .topics import topic_stems
from .words import content_stems

#: Content words, none shared with what the client said, that make a reflection off topic.
OFF_TOPIC_WORDS = 2
_SUBORDINATORS = frozenset(
    {"when", "if", "although", "though", "whereas", "unless", "until", "whether", "before"}
)
_THIRD_PERSON = frozenset(
    {
        "he",
        "she",
        "they",
        "he's",
        "she's",
        "they're",
        "his",
        "her",
        "their",
        "people",
        "everyone",
        "everybody",
        "someone",
        "somebody",
        "nobody",
        "others",
        "lots",
        "most",
        "many",
    }
)
# Subjects of a clause that speak of the client's own feelings (not a third party's).
_CLIENT_SUBJECTS = frozenset(
    {
        "you",
        "you're",
        "you've",
        "you'd",
        "youre",
        "it",
        "it's",
        "that",
        "that's",
        "this",
        "there",
        "sounds",
        "seems",
    }
)
_LEADING_DISCOURSE = frozenset(
    {
        "so",
        "and",
        "but",
        "well",
        "ok",
        "okay",
        "oh",
        "yeah",
        "yes",
        "now",
        "then",
        "also",
        "just",
        "really",
        "honestly",
        "right",
        "sure",
        "hmm",
        "um",
        "look",
    }
)


def _first_word(text: Text, start: int, end: int) -> str:
    """The first word of a clause after discourse words ('so', 'well', 'of course'...)."""
    words = text.words_in(start, end)
    i = 0
    while i < len(words) - 1 and words[i].lower in _LEADING_DISCOURSE:
        i += 1
    if i < len(words) - 1 and words[i].lower == "of" and words[i + 1].lower == "course":
        i += 2
    return words[i].lower if i < len(words) else ""


def find_reflective(
    text: Text, statement: Text | None, roadblocks: list[Roadblock], lex: Lexicons
) -> list[Reflective]:
    """Clauses that say back what the client said, with how sure the rules are."""
    reflective: list[Reflective] = []
    clause_starts = opening_positions(text, [c.start for c in text.clauses])
    stems_at = {s for s, _ in find_at_starts(lex.stems, text, clause_starts)}
    not_reflective = {s for s, _ in find_at_starts(lex.not_after_you, text, clause_starts)}
    first_roadblock = min((rb.start for rb in roadblocks), default=len(text.norm))
    for index, clause in enumerate(text.clauses):
        if in_question(text, clause.start):
            continue
        end = clause.end
        for rb in roadblocks:
            if rb.start <= clause.start < rb.end:
                end = clause.start
                break
            if clause.start < rb.start < end:
                end = rb.start
        if end <= clause.start:
            continue
        words = text.words_in(clause.start, end)
        if not words:
            continue
        feelings = [f for f in text.feelings if clause.start <= f.start < end and not f.negated]
        first = _first_word(text, clause.start, end)
        if any(clause.start <= s < min(end, clause.start + 40) for s in stems_at):
            reflective.append(Reflective(clause.start, end, 1.0, "stem"))
            continue
        if len(words) < 2 and not feelings:
            continue
        if any(clause.start <= s < min(end, clause.start + 40) for s in not_reflective):
            continue
        if first in lex.first_person:
            continue
        if first in _SUBORDINATORS and _leads_into_question(text, index):
            continue
        overlap, shared = 0.0, 0
        if statement is not None:
            stems = content_stems(words)
            shared = len(stems & statement.stems)
            overlap = shared / len(stems) if stems else 0.0
        if first in _THIRD_PERSON and overlap < CATCH_SHARE:
            continue
        after_roadblock = clause.start > first_roadblock
        if feelings and not (after_roadblock and first not in _CLIENT_SUBJECTS):
            reflective.append(Reflective(clause.start, end, 0.8, "feeling"))
            continue
        if after_roadblock:
            continue
        has_you = any(w.lower in SECOND_PERSON_WORDS for w in words)
        if first in SECOND_PERSON_WORDS and len(words) >= 3:
            reflective.append(Reflective(clause.start, end, 0.7, "second-person"))
        elif has_you and len(words) >= 3:
            reflective.append(Reflective(clause.start, end, 0.6, "about-you"))
        elif statement is not None and overlap >= CATCH_SHARE and len(words) >= 4:
            reflective.append(Reflective(clause.start, end, 0.5, "echo"))
    return reflective


def _leads_into_question(text: Text, index: int) -> bool:
    """Whether a clause is the lead-in of a question ('When you say X, what do you mean?')."""
    clause = text.clauses[index]
    nxt = text.clauses[index + 1] if index + 1 < len(text.clauses) else None
    return nxt is not None and nxt.sentence == clause.sentence and in_question(text, nxt.start)


def echo_span(
    text: Text, span: tuple[int, int], statement: Text | None, *, following: bool = False
) -> bool:
    """Whether a cue only repeats the client's words.

    With `following`, a cue made of function words alone ('as if', 'like you were') is judged
    by the rest of its clause: 'as if you're not in the room' repeats 'like I'm not in the room'.
    """
    if statement is None:
        return False
    stems = content_stems(text.words_in(*span))
    if not stems and following:
        stop = clause_end(text, span[0], span[1])
        after = [w for w in text.words_from(span[1])[:ECHO_WORDS] if w.end <= stop]
        stems = content_stems(after)
    return repeats_client(stems, statement)


def find_off_topic(
    text: Text, reflective: Sequence[Reflective], client: Client, lex: Lexicons
) -> list[str]:
    """The words that show a reflection is about something the client never mentioned, or [].

    A reflection is off topic when its content words (feeling words and the image of a simile or
    metaphor set aside) share no stem with what the client said, none of its feelings is one the
    client named, it points back to nobody and nothing the client spoke of ('her', 'those'), and
    at least OFF_TOPIC_WORDS of its words name a topic (not generic words such as 'hard',
    'people' or 'mistake'): "You're worried about your knee surgery" to a client talking about
    their mother. A reflection of a feeling alone ("You're furious.") is never off topic.
    """
    if not reflective or (client.statement is None and not client.reference):
        return []
    skip: Spans = [(f.start, f.end) for f in text.feelings]
    for start, end in find_all(lex.simile, text):
        skip.append((start, max(end, clause_end(text, start, end))))
    skip += find_all(lex.metaphor, text)
    words = [
        w
        for r in reflective
        for w in text.words_in(r.start, r.end)
        if not any_overlap((w.start, w.end), skip)
    ]
    topic = topic_stems(words)
    if len(topic) < OFF_TOPIC_WORDS or shares(content_stems(words), client):
        return []
    named = {fam for f in text.feelings if not f.negated for fam in f.families}
    if named & client.stated_families or any(w.lower in lex.anaphora for w in words):
        return []
    shown: dict[str, str] = {}
    for w in words:
        if topic_stems((w,)):
            shown.setdefault(w.lower, text.original[w.start : w.end])
    return list(shown.values())
