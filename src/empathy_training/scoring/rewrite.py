"""A stronger version of a trainee's own response: their reflective words kept, the roadblock
dropped, a missing unstated feeling added tentatively, and a passed-over risk asked about.

Every candidate is scored again, and only one reaching level 4 that copies no exemplar is
offered; otherwise there is none (a weak rewrite teaches the wrong thing). Wording lives in
`rubrics/rewrite.yml`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from ..errors import InputError
from ..models import Assessment, Vignette
from .client import SELF_CRITICAL_FAMILY, client_of
from .data_files import lexicon
from .feelings import feeling_adjective, feeling_families
from .risk import asks_directly, direct_question, limits_secrecy, promises_secrecy
from .rules import pattern_roadblocks
from .text import analyse_once
from .words import WORD, normalise

#: The level a rewrite must reach when scored again.
TARGET_LEVEL = 4
#: Fewest words a kept fragment of a sentence must have.
MIN_FRAGMENT_WORDS = 3
#: Kinds of piece in a rewrite.
PIECE_KINDS = ("kept", "removed", "added")


@dataclass(frozen=True)
class Piece:
    """A stretch of the rewrite, marked by what happened to it."""

    kind: str
    """One of PIECE_KINDS: the trainee's words kept or removed, or words added."""
    text: str
    """The words."""


@dataclass(frozen=True)
class Rewrite:
    """A stronger version of a trainee's response, with what changed and why."""

    original: str
    """The trainee's response."""
    text: str
    """The stronger version."""
    pieces: tuple[Piece, ...]
    """The trainee's words and the added words in order, each marked kept, removed or added."""
    why: str
    """One plain sentence of why the stronger version is stronger."""
    level: int
    """The level the scorer gives the stronger version (at least TARGET_LEVEL)."""

    @property
    def kept(self) -> tuple[str, ...]:
        """The trainee's words kept."""
        return tuple(p.text for p in self.pieces if p.kind == "kept")

    @property
    def removed(self) -> tuple[str, ...]:
        """The trainee's words dropped."""
        return tuple(p.text for p in self.pieces if p.kind == "removed")

    @property
    def added(self) -> tuple[str, ...]:
        """The words added."""
        return tuple(p.text for p in self.pieces if p.kind == "added")


@cache
def _wording() -> dict[str, object]:
    return dict(lexicon("rewrite"))


def _tokens(text: str) -> frozenset[str]:
    return frozenset(m.group().lower() for m in WORD.finditer(normalise(text)))


def is_copy(text: str, others: Sequence[str]) -> bool:
    """Whether `text` equals one of `others` (ignoring case and punctuation) or shares at least
    `copy_overlap` of their words (Jaccard)."""
    limit = float(str(_wording()["copy_overlap"]))
    mine = _tokens(text)
    for other in others:
        theirs = _tokens(other)
        union = mine | theirs
        if union and len(mine & theirs) / len(union) >= limit:
            return True
    return False


def speaks_to_client(words: str) -> bool:
    """Whether `words` say "you" (or "your", "you're", ...): a reflection is about the client."""
    second = {str(w) for w in _wording()["second_person"]}  # type: ignore[attr-defined]
    return any(w in second for w in re.findall(r"[a-z']+", words.lower().replace("’", "'")))


def _trimmed(fragment: str) -> tuple[str, str, str]:
    """A fragment without connectors or commas at its edges: (leading cut, core, trailing cut)."""
    connectors = "|".join(re.escape(str(c)) for c in _wording()["connectors"])  # type: ignore[attr-defined]
    lead = re.match(rf"^(?:\s|[,;:\-]|(?:{connectors})\b)*", fragment, re.IGNORECASE)
    start = lead.end() if lead else 0
    tail = re.search(rf"(?:\s|[,;:\-]|\b(?:{connectors}))*$", fragment[start:], re.IGNORECASE)
    end = start + (tail.start() if tail else len(fragment) - start)
    return fragment[:start], fragment[start:end], fragment[end:]


Listens = Callable[[str], str | None]
"""Scores a piece of the trainee's response alone: 'reflection', 'question' (an open one with
no roadblock), or None for anything else (advice, reassurance, a closed question...)."""


def _split(assessment: Assessment, listens: Listens, *, keep_questions: bool) -> list[Piece]:
    """The trainee's response as kept and removed pieces: sentences holding a roadblock lose the
    clauses that hold it; what is kept must read, alone, as a reflection (or, with
    `keep_questions`, an open question), unless it asks plainly about the risk or is honest
    about confidentiality (`_about_safety`), which is kept unless it holds a roadblock."""
    text = assessment.response
    parsed = analyse_once(text)
    blocks = [(r.span.start, r.span.end) for r in assessment.roadblocks]
    wanted = ("reflection", "question") if keep_questions else ("reflection",)

    def keep(kind: str, words: str) -> None:
        ok = kind == "kept" and (listens(words) in wanted or _about_safety(words))
        pieces.append(Piece("kept" if ok else "removed", words))

    def blocked(start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in blocks)

    pieces: list[Piece] = []
    for i, sentence in enumerate(parsed.sentences):
        words = text[sentence.start : sentence.end].strip()
        if _about_safety(words) and not blocked(sentence.start, sentence.end):
            pieces.append(Piece("kept", words))
            continue
        if sentence.is_question and not keep_questions:
            pieces.append(Piece("removed", text[sentence.start : sentence.end].strip()))
            continue
        if not blocked(sentence.start, sentence.end):
            keep("kept", text[sentence.start : sentence.end].strip())
            continue
        for clause in (c for c in parsed.clauses if c.sentence == i):
            fragment = text[clause.start : clause.end]
            asks = sentence.is_question and clause.start >= sentence.question_start
            if blocked(clause.start, clause.end) or asks:
                pieces.append(Piece("removed", fragment.strip()))
                continue
            lead, core, tail = _trimmed(fragment)
            if len(core.split()) < MIN_FRAGMENT_WORDS:
                pieces.append(Piece("removed", fragment.strip()))
                continue
            for kind, part in (("removed", lead), ("kept", core), ("removed", tail)):
                if part.strip(" ,;:-"):
                    keep(kind, part.strip())
    if not any(p.kind == "kept" and listens(p.text) == "reflection" for p in pieces):
        pieces = [Piece("removed", p.text) for p in pieces]  # questions alone are not enough
    return _tidied([p for p in pieces if p.text])


def _about_safety(words: str) -> bool:
    """Whether the trainee's words ask plainly about the risk (a question) or are honest about
    who else may need to know: a stronger version keeps them unless they hold a roadblock."""
    asks = asks_directly(words) and words.rstrip().endswith("?")
    return asks or limits_secrecy(words)


def _tidied(pieces: list[Piece]) -> list[Piece]:
    """Kept fragments start with a capital and end a sentence (a full stop added if needed)."""
    out: list[Piece] = []
    for piece in pieces:
        if piece.kind != "kept":
            out.append(piece)
            continue
        words = piece.text[:1].upper() + piece.text[1:]
        out.append(Piece("kept", words))
        if not re.search(r"[.!?][\"')\]]*$", words):
            out.append(Piece("added", "."))
    return out


def _unstated(assessment: Assessment, vignette: Vignette | None, fill: dict[str, str]) -> list[str]:
    """Feelings the client did not name, as said after "you're feeling": the key's missed ones
    first; never a self-label, a self-critical feeling or a reading the key says goes too far."""
    if vignette is None:
        return [fill["unstated"]] if fill.get("unstated") else []
    key = vignette.answer_key
    missed = set(assessment.accuracy.missed) if assessment.accuracy else set()
    order = sorted(key.unstated_feelings, key=lambda f: not any(f in m for m in missed))
    banned = [" ".join(p.lower().split()) for p in (*key.self_labels, *key.over_interpretations)]
    said = normalise(assessment.response).lower()
    found: list[str] = []
    for item in order:
        word = feeling_adjective(item)
        if not word or SELF_CRITICAL_FAMILY in feeling_families(item):
            continue
        low = word.lower()
        if any(b in low or low in b for b in banned) or re.search(rf"\b{re.escape(low)}\b", said):
            continue
        found.append(word)
    return found


def _risk_question(assessment: Assessment, vignette: Vignette | None) -> str:
    """The plain question about a risk the response did not take up, or ''."""
    if assessment.risk_handled in (None, "taken_up"):
        return ""
    missed = assessment.accuracy.missed_risks if assessment.accuracy else ()
    cues = missed or (vignette.answer_key.risk_cues if vignette else ())
    question = direct_question(cues[0].kind if cues else "default")
    return str(_wording()["risk_question"]).format(question=question)


def _why(removed_roadblock: str, asked_only: bool, feeling: bool, risk: bool) -> str:
    reasons: dict[str, str] = _wording()["why"]  # type: ignore[assignment]
    if removed_roadblock and risk:
        name = "roadblock_and_risk"
    elif removed_roadblock and feeling:
        name = "roadblock_and_feeling"
    elif asked_only and feeling:
        name = "question_and_feeling"
    elif feeling and risk:
        name = "feeling_and_risk"
    elif feeling:
        name = "feeling"
    else:
        name = "roadblock"
    roadblock = f"{removed_roadblock} roadblock" if removed_roadblock else "roadblock"
    return " ".join(reasons[name].format(roadblock=roadblock).split())


def _candidates(
    assessment: Assessment, vignette: Vignette | None, statement: str, listens: Listens
) -> Iterator[tuple[list[Piece], bool, bool]]:
    """Candidate rewrites, most faithful to the trainee first: (pieces, feeling added, risk
    question added)."""
    fill = dict(client_of(statement, vignette).fill)
    feelings = _unstated(assessment, vignette, fill)
    question = _risk_question(assessment, vignette)
    templates: list[str] = list(_wording()["unstated"])  # type: ignore[call-overload]
    bases: list[list[Piece]] = []
    for keep_questions in (True, False):
        base = _split(assessment, listens, keep_questions=keep_questions)
        if any(p.kind == "kept" for p in base) and base not in bases:
            bases.append(base)
    opener = _opener(fill)
    if opener:  # none of the trainee's words, but for what they asked or said about safety
        safety, rest = _by_safety(assessment)
        dropped = [Piece("removed", p) for p in rest] if safety else []
        dropped = dropped or [Piece("removed", assessment.response.strip())]
        bases.append([*dropped, Piece("added", opener), *(Piece("kept", p) for p in safety)])
    tail = [Piece("added", question)] if question else []
    if promises_secrecy(assessment.response):  # honest instead, before any question
        tail.insert(0, Piece("added", " ".join(str(_wording()["honest_about_secrecy"]).split())))
    for base in bases:
        head, asked = _closing_safety(base)
        said = _joined(head).lower()
        for feeling in (f for f in feelings if f.lower() not in said):  # named once only
            for template in templates:
                yield (
                    [*head, Piece("added", template.format(unstated=feeling)), *asked, *tail],
                    True,
                    bool(tail),
                )
        if any(p.kind == "removed" for p in base) or tail:
            yield [*base, *tail], False, bool(tail)


def _by_safety(assessment: Assessment) -> tuple[list[str], list[str]]:
    """The trainee's sentences that ask plainly about the risk or are honest about
    confidentiality, holding no roadblock, and the rest."""
    blocks = [(r.span.start, r.span.end) for r in assessment.roadblocks]
    text = assessment.response
    safety: list[str] = []
    rest: list[str] = []
    for s in analyse_once(text).sentences:
        words = text[s.start : s.end].strip()
        blocked = any(a < s.end and s.start < b for a, b in blocks)
        (rest if blocked or not _about_safety(words) else safety).append(words)
    return safety, rest


def _closing_safety(pieces: list[Piece]) -> tuple[list[Piece], list[Piece]]:
    """The pieces before the trainee's closing words about safety, and those words: an added
    feeling goes before them, so the response still ends on the question or the honesty."""
    at = len(pieces)
    while at and pieces[at - 1].kind == "kept" and _about_safety(pieces[at - 1].text):
        at -= 1
    return pieces[:at], pieces[at:]


def _opener(fill: dict[str, str]) -> str:
    """A reflection to start from when none of the trainee's words can stay: the feeling the
    client named, else a plain one. Never the scorer's "things with your ..." sample, which a
    review found often pins the trouble on the wrong thing (benchmarks/results)."""
    example = fill.get("example", "")
    if not example:
        return ""
    if example.startswith("It sounds like things "):
        return "It sounds like this has been weighing on you."
    return example


def _joined(pieces: Sequence[Piece]) -> str:
    text = " ".join(p.text for p in pieces if p.kind != "removed")
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def stronger_version(
    assessment: Assessment,
    *,
    vignette: Vignette | None = None,
    client_statement: str | None = None,
    require_key: bool = True,
) -> Rewrite | None:
    """A stronger version of the trainee's response that the scorer places at level 4 or above
    and that copies no exemplar of the vignette, or None when there is none (or the response
    already reaches level 4).

    Only against a vignette's answer key by default: built from a bare client statement, the
    added feeling is a generic guess, and a review of such rewrites found too many that a
    supervisor would not sign (benchmarks/results/rewrite-review.json). `require_key=False`
    is for measuring them.
    """
    from .pipeline import score_response  # the pipeline is the judge; imported late

    if assessment.hrq_level >= TARGET_LEVEL or (require_key and vignette is None):
        return None
    statement = client_statement or (vignette.statement if vignette else "")
    if not statement.strip():
        return None
    exemplars = [e.text for e in vignette.exemplars] if vignette else []
    roadblock = assessment.roadblocks[0].category if assessment.roadblocks else ""
    asked_only = assessment.behaviour == "question"
    seen: set[str] = set()
    client = client_of(statement, vignette)

    def score(text: str) -> Assessment | None:
        try:
            return score_response(
                text, client_statement=client_statement, vignette=vignette, rubric=assessment.rubric
            )
        except (InputError, ValueError):
            return None

    def listens(words: str) -> str | None:
        alone = score(words)
        if alone is None or alone.roadblocks or alone.risk_handled == "safety_error":
            return None
        if pattern_roadblocks(words, client):  # not even one the models overrule
            return None
        if alone.behaviour == "question" and alone.question_type != "open":
            return None
        if alone.behaviour == "reflection" and not speaks_to_client(words):
            return None
        if alone.behaviour == "reflection" and alone.reflection_depth in (None, "none"):
            return None  # an attempt the scorer does not take as one (a feeling that does not fit)
        return alone.behaviour if alone.behaviour in ("reflection", "question") else None

    for pieces, feeling, risk in _candidates(assessment, vignette, statement, listens):
        text = _joined(pieces)
        if not text or text in seen or is_copy(text, exemplars):
            continue
        seen.add(text)
        scored = score(text)
        if scored is None or scored.hrq_level < TARGET_LEVEL or scored.roadblocks:
            continue
        if pattern_roadblocks(text, client):
            continue
        if scored.risk_handled not in (None, "taken_up"):
            continue
        return Rewrite(
            original=assessment.response,
            text=text,
            pieces=tuple(pieces),
            why=_why(roadblock, asked_only, feeling, risk),
            level=scored.hrq_level,
        )
    return None
