"""Text features of a response, read against the client statement it answers.

One function, `featurize`, shared by the training script and the runtime, so that the models
see identical features in both. Features are strings: words and word pairs and triples, how
each sentence opens, question marks and length, which of the response's content words the
client said (`e:`) or did not (`n:`), with how much of the response echoes the client, and which
feelings the response names that the client did not (`fn:`, by the feeling lexicon's families).
(Character n-grams were tried and dropped: they lowered every leave-one-writer-out figure.)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import lru_cache

from .feelings import text_feelings

__all__ = ["MAX_CHARS", "featurize", "sentence_spans", "token_spans", "tokens", "word_ngrams"]

#: Only the first MAX_CHARS characters of a response or a client statement are read.
MAX_CHARS = 2000
#: Words shorter than this are never content words.
CONTENT_LENGTH = 4

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[?!]")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
# fmt: off
_STOPWORDS = frozenset(
    """
    about after again also always because been before being could didn't does doesn't doing
    don't down each even from have having here it's just know like make more most much must
    never only other over really same should some such than that that's their them then there
    these they thing things this those through very want was were what when where which while
    will with would your you're you've you'll yourself
    """.split()  # noqa: SIM905
)
# fmt: on
_LENGTH_BINS = ((3, "0-3"), (6, "4-6"), (12, "7-12"), (20, "13-20"), (35, "21-35"))
_ECHO_BINS = ((0.0, "0"), (0.2, "0-20"), (0.4, "20-40"), (0.6, "40-60"), (0.8, "60-80"))


def tokens(text: str) -> list[str]:
    """Lower-case words of `text` (apostrophes kept inside words), with '?' and '!'."""
    return _TOKEN.findall(text[:MAX_CHARS].lower().translate(_QUOTES))


@lru_cache(maxsize=8)
def token_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """The words of `text` as `tokens` reads them, each with where it stands in `text`."""
    plain = text[:MAX_CHARS].translate(_QUOTES)  # one character for one: offsets stay true
    return tuple((m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(plain))


def _bin(value: float, bins: tuple[tuple[float, str], ...], last: str) -> str:
    for limit, name in bins:
        if value <= limit:
            return name
    return last


def _content(words: list[str]) -> list[str]:
    return [w for w in words if len(w) >= CONTENT_LENGTH and w not in _STOPWORDS]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of `text` (as the features read sentences) starts and ends."""
    plain = text[:MAX_CHARS]
    return [m.span() for m in _SENTENCE.finditer(plain) if _TOKEN.search(m.group())]


def _sentences(lowered: str) -> Iterator[list[str]]:
    for match in _SENTENCE.finditer(lowered):
        words = _TOKEN.findall(match.group())
        if words:
            yield words


@lru_cache(maxsize=256)
def _statement_words(client_statement: str) -> tuple[frozenset[str], frozenset[str]]:
    """A client statement's words and word pairs (kept: many responses answer one statement)."""
    words = tokens(client_statement)
    return frozenset(words), frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))


@lru_cache(maxsize=256)
def _statement_feelings(client_statement: str) -> frozenset[str]:
    """The feeling families a client statement names, negated or not (kept, as above)."""
    return _feelings(client_statement, negated=True)


def _feelings(text: str, *, negated: bool) -> frozenset[str]:
    found = text_feelings(text[:MAX_CHARS])
    return frozenset(
        family for feeling in found if negated or not feeling.negated for family in feeling.families
    )


def statement_words(client_statement: str) -> frozenset[str]:
    """A client statement's words, as `tokens` reads them."""
    return _statement_words(client_statement)[0]


def _ngrams(words: list[str]) -> set[str]:
    found = {f"w:{w}" for w in words}
    found.update(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    found.update(f"t:{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False))
    return found


def word_ngrams(text: str) -> tuple[str, ...]:
    """The features of `text` that are its words, word pairs and triples (`w:`, `b:`, `t:`),
    named and sorted as `featurize` names and sorts them."""
    return tuple(sorted(_ngrams(tokens(text))))


@lru_cache(maxsize=64)
def featurize(response: str, client_statement: str = "") -> tuple[str, ...]:
    """The features of `response` as an answer to `client_statement` (may be empty).

    Cached for the last few texts: the scorer asks for a response's features more than once.
    """
    lowered = response[:MAX_CHARS].lower().translate(_QUOTES)
    words = _TOKEN.findall(lowered)
    plain = [w for w in words if w != "?" and w != "!"]
    found = _ngrams(words)
    count = 0
    for sentence in _sentences(lowered):
        count += 1
        found.add(f"o1:{sentence[0]}")
        if len(sentence) > 1:
            found.add(f"o2:{sentence[0]} {sentence[1]}")
        found.add("s:question" if sentence[-1] == "?" else "s:statement")
    last = "question" if words and words[-1] == "?" else "statement"
    found.add(f"last:{last}")
    found.add(f"sentences:{min(count, 4)}")
    found.add(f"length:{_bin(len(plain), _LENGTH_BINS, '36+')}")
    found.add(f"questions:{min(words.count('?'), 3)}")
    if client_statement:
        said, client_pairs = _statement_words(client_statement)
        content = _content(plain)
        echoed = [w for w in content if w in said]
        found.update(f"e:{w}" for w in echoed)
        found.update(f"n:{w}" for w in content if w not in said)
        share = len(echoed) / len(content) if content else 0.0
        found.add(f"echo:{_bin(share, _ECHO_BINS, '80-100')}")
        new = len(content) - len(echoed)
        found.add(f"new:{_bin(new, ((0, '0'), (2, '1-2'), (5, '3-5'), (10, '6-10')), '11+')}")
        pairs = {f"{a} {b}" for a, b in itertools.pairwise(plain)}
        found.add(f"echo_pairs:{min(len(pairs & client_pairs), 3)}")
        named = _feelings(response, negated=False)  # "you're not angry" names no anger
        theirs = _statement_feelings(client_statement)
        found.update(f"fn:{family}" for family in named - theirs)
        found.add(f"fnew:{min(len(named - theirs), 2)}")
        found.add(f"fsame:{min(len(named & theirs), 2)}")
    return tuple(sorted(found))
