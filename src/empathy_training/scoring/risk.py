"""Risk: the exact words of a risk cue, and how a response handles the client's cue."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, lru_cache

from ..models import Vignette
from . import classifiers as learned
from .answer_key import KeyResult
from .data_files import lexicon
from .risk_cue import carries_risk_cue

_QUOTES = str.maketrans({"’": "'", "‘": "'"})


def _pattern(group: str) -> re.Pattern[str]:
    """The phrases of one list of `risk-words.yml` as a pattern (`_phrases`)."""
    return _phrases(tuple(lexicon("risk-words")[group]))


@cache
def _explicit() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each kind of risk with the pattern of its explicit words; someone harming the client in
    so many words ("my husband hits me") is abuse."""
    words = lexicon("risk-words")
    kinds = [(kind, _phrases(tuple(p))) for kind, p in words["explicit"].items() if p]
    harmed_by = words["harmed_by"]
    people, between, acts = (
        "|".join(re.escape(w) for w in sorted(harmed_by[k], key=len, reverse=True))
        for k in ("people", "between", "acts")
    )
    harmed = re.compile(
        rf"(?<![\w'])(?:{people})(?:\s*(?:{between}))?\s+(?:{acts})\s+me(?![\w'])"
        r"(?!\s+(?:out|off)\b)",
        re.IGNORECASE,
    )
    return (*kinds, ("abuse", harmed))


@lru_cache(maxsize=256)
def explicit_kinds(statement: str) -> tuple[str, ...]:
    """The kinds of risk a client statement names in so many words, in `risk-words.yml`'s order
    (none for its look-alikes, `explicit_not`; kept: many responses answer one statement)."""
    text = _phrases(tuple(lexicon("risk-words")["explicit_not"])).sub(
        " ", statement.translate(_QUOTES)
    )
    return tuple(dict.fromkeys(kind for kind, pattern in _explicit() if pattern.search(text)))


def explicit_kind(statement: str) -> str | None:
    """The first kind of risk a client statement names in so many words, or None."""
    return next(iter(explicit_kinds(statement)), None)


def explicit_cue(statement: str) -> bool:
    """Whether a client statement names a risk in so many words."""
    return bool(explicit_kinds(statement))


def asks_directly(response: str, kinds: frozenset[str] = frozenset()) -> bool:
    """Whether a response asks, or names, the risk plainly (suicide, harming oneself, abuse):
    about a cue of one of `kinds` (`asks_about`), or of any kind when `kinds` is empty."""
    asked = {
        m.group(0).lower() for m in _pattern("asks_directly").finditer(response.translate(_QUOTES))
    }
    if not asked or not kinds:
        return bool(asked)
    about = _asks_about()
    return any(about.get(" ".join(phrase.split()), kinds) & kinds for phrase in asked)


@cache
def _asks_about() -> dict[str, frozenset[str]]:
    """The kinds of cue each direct question asks about."""
    about: dict[str, frozenset[str]] = {}
    for group in lexicon("risk-words")["asks_about"]:
        for phrase in group["phrases"]:
            about[phrase.lower()] = about.get(phrase.lower(), frozenset()) | set(group["kinds"])
    return about


def asks_if_safe(response: str) -> bool:
    """Whether a response asks only whether the client is safe (weaker than asking plainly)."""
    text = response.translate(_QUOTES)
    return _pattern("asks_if_safe").search(text) is not None and not asks_directly(text)


def _words(group: str, key: str) -> re.Pattern[str]:
    return _phrases(tuple(lexicon("risk-words")[group][key]))


@cache
def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    words = (r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)
    return re.compile(r"(?<![\w'])(?:" + "|".join(words) + r")(?![\w'])", re.IGNORECASE)


def means_direction(response: str, context: str) -> str | None:
    """'towards' when the response steers the client towards a means of harm that `context` (the
    client's words and the key's means) also names, 'away' when it steers them away from it,
    else None. A question ("are you still taking them?") steers nowhere."""
    text = response.translate(_QUOTES)
    nouns = _words("means", "nouns")
    named = {m.group(0).lower() for m in nouns.finditer(text)}
    theirs = {m.group(0).lower() for m in nouns.finditer(context)}
    if not theirs:
        return None
    medicines = frozenset(lexicon("risk-words")["means"]["medicines"])
    if named & theirs or (named & medicines and theirs & medicines):
        towards = _words("means", "towards")  # their means, named again
    elif not named:
        towards = _words("means", "more_of_it")  # "an extra couple": theirs, not named
    else:
        return None
    if _words("means", "away").search(text):
        return "away"
    sentences = re.split(r"(?<=[.!?])\s+", text)
    if any(towards.search(s) and not s.rstrip().endswith("?") for s in sentences):
        return "towards"
    return None


def safety_category(response: str, kinds: frozenset[str], means: str | None) -> str:
    """Which kind of safety error a response makes (ids in rubrics/risk-handling.yml)."""
    if means == "towards":
        return "increases-access-to-means"
    if promises_secrecy(response):
        return "promises-secrecy"
    if kinds & {"abuse", "neglect", "violence"}:
        return "endorses-restriction-or-abuse"
    return "minimises-risk"


def _secrecy(response: str) -> list[bool]:
    """For each sentence with words of secrecy (`secrecy`, but not `secrecy_not`: "I won't tell
    you you're wrong"), whether it also sets a limit on it (`secrecy_limits`)."""
    words = lexicon("risk-words")
    secrecy, limits = _phrases(tuple(words["secrecy"])), _phrases(tuple(words["secrecy_limits"]))
    text = _phrases(tuple(words["secrecy_not"])).sub(" ", response.translate(_QUOTES))
    sentences = re.split(r"(?<=[.!?;])\s+", text)
    return [bool(limits.search(s)) for s in sentences if secrecy.search(s)]


def promises_secrecy(response: str) -> bool:
    """Whether a response promises to keep what it heard secret: a sentence with words of
    secrecy and no limit on it ("I can't keep this between us" sets one)."""
    return not all(_secrecy(response))


def limits_secrecy(response: str) -> bool:
    """Whether a response is honest about confidentiality: a sentence with words of secrecy and
    a limit on it ("I can't promise to keep this between us")."""
    return any(_secrecy(response))


def direct_question(kind: str) -> str:
    """The plain question feedback suggests for a kind of risk cue."""
    questions = lexicon("risk-words")["questions"]
    return str(questions.get(kind, questions["default"]))


def risk_present(
    vignette: Vignette | None,
    statement_text: str,
    judged: learned.Judgements,
    replies: float | None = None,
) -> bool:
    """Whether the client's words carry a risk cue: the vignette's key says, else the models
    (the statement's, with how the response, and `replies`, read: `carries_risk_cue`)."""
    if vignette is not None:
        return bool(vignette.answer_key.risk_cues)
    if not statement_text.strip():
        return False
    if explicit_cue(statement_text):
        return True
    return carries_risk_cue(statement_text, judged, replies)


def risk_handling(
    judged: learned.Judgements,
    cue_present: bool,
    key: KeyResult | None,
    response: str,
    means: str | None = None,
    kinds: frozenset[str] = frozenset(),
) -> str | None:
    """How the response handles the client's risk cue: the model's judgement, with exact rules.
    Steering towards a means of harm (`means_direction`) or promising secrecy
    (`promises_secrecy`) is a safety error; asking plainly about the risk, or steering away from
    the means, takes the cue up (unless the model sees a safety error); and against a vignette a
    cue the response neither names in the key's words nor asks about is passed over. `kinds`:
    the kinds of the cue, where known (a plain question about another kind takes nothing up)."""
    if not cue_present:
        return None
    if means == "towards" or promises_secrecy(response):
        return "safety_error"
    handling = judged.risk_handling()
    if handling == "safety_error":
        return handling
    if asks_directly(response, kinds) or means == "away":
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
