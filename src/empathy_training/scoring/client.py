"""The client: what every response to one statement or vignette is checked against.

Worked out once per client, with the suggested wording that feedback builds from their words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..models import Vignette
from .answer_key import KeyIndex, item_stems, key_index
from .feelings import feeling_adjective, feeling_families, self_feelings
from .text import Text, analyse
from .topics import swap_person, topic_stems

#: Letters two long stems must share at the start to count as the same word (see `shares`).
PREFIX_CHARS = 5


@dataclass(frozen=True)
class Client:
    """What scoring uses of a client statement and vignette, worked out once and shared by every
    response to them (a workshop or a graded table scores many responses to the same one)."""

    statement: Text | None
    """The client's statement, analysed; None when there is none."""
    said: str
    """The statement in the second person, lower case, single-spaced."""
    stated_families: frozenset[str]
    """Feeling families the client named (in the statement or the answer key's stated feelings)."""
    reference: frozenset[str]
    """Stems of what the client talked about: the statement's content words and the answer
    key's phrases (a reflection shares at least one of them)."""
    prefixes: frozenset[str]
    """The first PREFIX_CHARS letters of the longer reference stems, so that 'practised' and
    'practice' or 'medicine' and 'medical' count as the same word."""
    fill: Mapping[str, str]
    """Suggested wording built from the client's words (see `_example`)."""
    key: KeyIndex | None
    """The vignette's answer key, ready to check responses against; None without a vignette."""


#: How many client contexts `client_of` keeps by identity before starting afresh.
CLIENTS_KEPT = 1024
_CLIENTS: dict[tuple[str, int], tuple[Vignette | None, Client]] = {}


def client_of(statement_text: str, vignette: Vignette | None) -> Client:
    """The client context of a statement and vignette, worked out once: looked up by the
    vignette's identity first (cheap), then by its value (see `_client_for`)."""
    slot = (statement_text, id(vignette))
    kept = _CLIENTS.get(slot)
    if kept is not None and kept[0] is vignette:
        return kept[1]
    client = _client_for(statement_text, vignette)
    if len(_CLIENTS) >= CLIENTS_KEPT:
        _CLIENTS.clear()
    _CLIENTS[slot] = (vignette, client)
    return client


@lru_cache(maxsize=512)
def _client_for(statement_text: str, vignette: Vignette | None) -> Client:
    """The client context of a statement and vignette (a vignette hashes by value)."""
    statement = analyse(statement_text) if statement_text.strip() else None
    families: set[str] = set()
    reference: set[str] = set()
    if statement is not None:
        for f in statement.feelings:
            if not f.negated:
                families.update(f.families)
        reference.update(topic_stems(statement.words) | statement.stems)
    if vignette is not None:
        key = vignette.answer_key
        for item in key.stated_feelings:
            families.update(feeling_families(item))
        phrases = (*key.stated_feelings, *key.unstated_feelings, *key.meanings, *key.key_content)
        for cue in key.risk_cues:
            phrases += (cue.cue, *cue.acknowledged_by)
        for phrase in phrases:
            reference.update(item_stems(phrase)[1])
    said = " ".join(swap_person(statement_text).lower().split()) if statement else ""
    return Client(
        statement=statement,
        said=said,
        stated_families=frozenset(families),
        reference=frozenset(reference),
        prefixes=frozenset(r[:PREFIX_CHARS] for r in reference if len(r) >= PREFIX_CHARS),
        fill=_example(statement, vignette),
        key=key_index(vignette) if vignette is not None else None,
    )


def shares(stems: frozenset[str], client: Client) -> bool:
    """Whether any stem is one of the client's, or starts like a long one of theirs."""
    if stems & client.reference:
        return True
    return any(len(s) >= PREFIX_CHARS and s[:PREFIX_CHARS] in client.prefixes for s in stems)


#: A feeling family never offered back as "you're feeling ...": it would side with the
#: client's inner critic ("pathetic", "a burden", "thick").
SELF_CRITICAL_FAMILY = "self-judgement"


def _own_feeling(statement: Text | None, vignette: Vignette | None) -> tuple[str, bool]:
    """A feeling the client names about themselves, as said after "you're feeling", or '';
    and whether they called themselves something self-critical, which is never offered back."""
    self_labels = (
        {" ".join(label.lower().split()) for label in vignette.answer_key.self_labels}
        if vignette is not None
        else set()
    )
    critical = False

    def usable(phrase: str, word: str) -> bool:
        nonlocal critical
        said = " ".join(phrase.lower().split())
        if SELF_CRITICAL_FAMILY in feeling_families(phrase) or any(
            label in said or said in label for label in self_labels
        ):
            critical = True
            return False
        return bool(word)

    if statement is not None:
        for situations in (False, True):
            for f in self_feelings(statement, situations=situations):
                phrase = statement.original[f.start : f.end]
                word = feeling_adjective(phrase) or feeling_adjective(f.entry) or ""
                if usable(phrase, word) and usable(f.entry, word):
                    return word, critical
    if vignette is not None:
        for item in vignette.answer_key.stated_feelings:
            word = feeling_adjective(item) or ""
            if usable(item, word):
                return word, critical
    return "", critical


def _example(statement: Text | None, vignette: Vignette | None) -> dict[str, str]:
    """Suggested wording built from what the client said: a feeling they named about themselves
    ('{feeling}'), one the answer key says they did not name ('{unstated}'), a sample reflection
    ('{example}') and one that names a feeling ('{feeling_example}'): "It sounds like you're
    feeling fed up.", else one with the answer key's unstated feeling, else a plain "It sounds
    like this has been weighing on you." Never a feeling picked without grounds (the scorer
    cannot tell which unnamed feeling fits a bare statement: '{unstated}' and
    '{feeling_example}' are then empty, and feedback uses its `_no_feeling` wording), and never a
    paraphrase of the statement's topic: picked by rule, it too often names the wrong thing
    ("things with your guitar")."""
    feeling, self_critical = _own_feeling(statement, vignette)
    unstated = ""
    if vignette is not None:
        for item in vignette.answer_key.unstated_feelings:
            unstated = feeling_adjective(item) or ""
            if unstated:
                break
    example = "It sounds like this has been weighing on you."
    with_feeling = ""
    if feeling:
        example = with_feeling = f"It sounds like you're feeling {feeling}."
    elif self_critical:
        example = "It sounds like you've been really hard on yourself."
        if unstated:
            with_feeling = (
                f"It sounds like you've been really hard on yourself, and feeling {unstated}."
            )
    elif unstated:
        example = with_feeling = f"It sounds like you might be feeling {unstated}."
    return {
        "example": example,
        "feeling_example": with_feeling,
        "feeling": feeling or "this way",
        "unstated": unstated,
    }


#: First words of a quoted cue that lose their capital inside a sentence ("You said "my
#: partner..."); any other (I, a name) keeps it.
_LOWERED = frozenset(
    [
        "my",
        "the",
        "he",
        "she",
        "it",
        "we",
        "they",
        "our",
        "his",
        "her",
        "a",
        "an",
        "this",
        "that",
        "there",
        "these",
        "those",
        "when",
        "if",
        "and",
        "but",
        "so",
    ]
)


def cue_words(cue: str) -> str:
    """The client's words for a risk cue, to quote inside a sentence: one line, the end's full
    stop dropped (an ellipsis kept), a function word's capital lowered."""
    words = " ".join(cue.split())
    if not words.endswith("..."):
        words = words.rstrip(" .!?")
    first = words.split(" ", 1)[0]
    return words[:1].lower() + words[1:] if first.lower() in _LOWERED else words


def risk_example(cue: str) -> str:
    """A reflection that starts from the client's words for a risk cue, offered in place of the
    sample reflection when the response did not take the cue up (the sample would pass over
    it too); '' without words to start from."""
    said = cue_words(cue)
    if not said:
        return ""
    return f'You said "{said}", and I\'d like to understand more about that.'
