"""Tests of text analysis: stems, sentences, clauses, questions, feelings and patterns."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empathy_training.scoring.data_files import lexicon
from empathy_training.scoring.feelings import (
    feeling_adjective,
    feeling_families,
    self_feelings,
)
from empathy_training.scoring.lexicons import lexicons
from empathy_training.scoring.matching import (
    PhraseMatcher,
    _discourse_prefix,
    compile_patterns,
    find_all,
    find_at_starts,
    may_match,
    opening_positions,
)
from empathy_training.scoring.patterns import first_words, leading_words, pattern_regex
from empathy_training.scoring.text import analyse, analyse_once
from empathy_training.scoring.topics import swap_person, topic_stems
from empathy_training.scoring.words import WORD, normalise, stem

LEXICONS = (
    "lexicon-roadblocks",
    "lexicon-reflection",
    "lexicon-validation",
    "lexicon-empathy",
)


def _patterns(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in {"alternative", "name", "description", "behaviour"}:
                yield from _patterns(value)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                yield item


@pytest.mark.parametrize("name", LEXICONS)
def test_every_lexicon_pattern_compiles(name: str) -> None:
    patterns = list(_patterns(lexicon(name)))
    assert patterns
    for pattern in patterns:
        re.compile(pattern_regex(pattern), re.IGNORECASE)


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("worried", "worry", "worrying", "worries"), True),
        (("frustrated", "frustrating", "frustration"), True),
        (("exhausted", "exhaustion"), True),
        (("tired", "tiring"), True),
        (("humiliated", "humiliating", "humiliation"), True),
        (("embarrassed", "embarrassment"), True),
        (("need", "ne"), False),
    ],
)
def test_stem_joins_forms_of_a_word(words: tuple[str, ...], same: bool) -> None:
    stems = {stem(w) for w in words}
    assert (len(stems) == 1) is same


def test_normalise_keeps_length_and_offsets() -> None:
    text = "It\u2019s \u201cfine\u201d \u2014 really"
    assert len(normalise(text)) == len(text)
    assert normalise(text).startswith('It\'s "fine"')


def test_sentences_and_clauses_carry_offsets() -> None:
    text = "You're tired, but you keep going. What helps? Dr. Shah said 39.8 is high."
    t = analyse(text)
    assert [text[s.start : s.end] for s in t.sentences] == [
        "You're tired, but you keep going.",
        "What helps?",
        "Dr. Shah said 39.8 is high.",
    ]
    assert [text[c.start : c.end] for c in t.clauses][:2] == ["You're tired", "but you keep going."]
    for word in t.words:
        assert text[word.start : word.end].lower().replace("\u2019", "'") == word.lower


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What has been hardest about it?", "open"),
        ("How do you feel about that?", "open"),
        ("Tell me more about the nights.", "open"),
        ("Could you say more about that?", "open"),
        ("Do you take it in the morning?", "closed"),
        ("How many times a night?", "closed"),
        ("Which one do you use?", "closed"),
        ("What time did you get to sleep?", "closed"),
    ],
)
def test_question_type_by_first_words(question: str, kind: str) -> None:
    sentence = analyse(question).sentences[0]
    assert sentence.is_question
    assert sentence.question_type == kind


def test_statement_is_not_a_question() -> None:
    t = analyse("What you're saying is that nobody listens.")
    assert not t.sentences[0].is_question


def test_question_without_question_mark() -> None:
    assert analyse("How are you sleeping").sentences[0].is_question


def test_feelings_found_by_family_and_intensity() -> None:
    t = analyse("You sound exhausted and a bit worried, maybe even heartbroken.")
    found = {(f.entry, f.family, f.intensity) for f in t.feelings}
    assert ("exhausted", "tiredness", "high") in found
    assert ("worried", "fear", "medium") in found
    assert ("heartbroken", "sadness", "high") in found


def test_feeling_phrases_and_negation() -> None:
    t = analyse("You're fed up, but you're not alone in this.")
    by_entry = {f.entry: f for f in t.feelings}
    assert not by_entry["fed up"].negated
    assert by_entry["alone"].negated


def test_ambiguous_feeling_words_need_context() -> None:
    assert not analyse("I can barely get down the stairs.").feelings
    assert analyse("I feel so down.").feelings[0].family == "sadness"


def test_feeling_word_naming_an_event_is_not_a_feeling() -> None:
    assert not analyse("Your body had a real scare.").feelings
    assert analyse("You were scared.").feelings


def test_feeling_families_of_a_phrase() -> None:
    assert "fear" in feeling_families("worried")
    assert "self-judgement" in feeling_families("a burden")
    assert feeling_families("table") == ()


def test_swap_person() -> None:
    assert swap_person("I'm so fed up with my knee") == "you're so fed up with your knee"
    assert swap_person("I am tired and I want to go home") == (
        "you are tired and you want to go home"
    )


def test_pattern_language() -> None:
    matcher = compile_patterns(("(so|really)? sorry (to_hear|you)", "{youre} {feeling}"))
    assert matcher is not None
    assert ("really", "sorry") in matcher.by_words and ("you're", "worried") in matcher.by_words

    def found(text: str) -> list[str]:
        t = analyse(text)
        return [text[a:b] for a, b in find_all(matcher, t)]

    assert found("I'm really sorry to hear that") == ["really sorry to hear"]
    assert found("I'm sorry you feel this way") == ["sorry you"]
    assert found("you are worried") == ["you are worried"]
    assert not found("sorrynot")
    start = compile_patterns(("try (to|and)",))
    t = analyse("So, just try to rest.")
    assert find_at_starts(start, t, [0]) == [(9, 15)]


def test_leading_words_of_a_pattern() -> None:
    assert leading_words("at least") == {("at", "least")}
    assert leading_words("(so|very)? sorry") == {
        ("so", "sorry"),
        ("very", "sorry"),
        ("sorry",),
    }
    assert ("you", "are") in (leading_words("{youre} {feeling}") or set())
    assert leading_words("{w} talking") is None


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("at least", {"at"}),
        ("(?=x)at least", {"at"}),
        ("(so|very)? sorry", {"so", "very", "sorry"}),
        ("{you} (need|have) to", {"you", "u", "ya"}),
        ("(?<!sounds\\s)(like|as_if) a", {"like", "as"}),
        ("{w} talking", None),
        ("worr\\w* about", None),
    ],
)
def test_first_words_of_a_pattern(pattern: str, words: set[str] | None) -> None:
    found = first_words(pattern)
    assert (set(found) if found is not None else None) == words


def test_content_stems_skip_function_words() -> None:
    t = analyse("I just want someone to tell me which one I take in the morning.")
    assert {"someon", "morn"} <= t.stems or {"morn"} <= t.stems
    assert "the" not in t.stems


# --- feelings the speaker puts on themselves, and how to say them back -----------------------


@pytest.mark.parametrize(
    ("text", "feelings"),
    [
        ("I'm so tired and fed up with it all.", ["tired", "fed up"]),
        ("It makes me feel stupid when she does that.", ["stupid"]),
        ("My boss hates me and I'm just so anxious all the time.", ["anxious"]),
        ("I just feel so worried all the time.", ["worried"]),
        ("I hate my job.", []),
        ("My dad loves my brother more than me.", []),
        ("I'm not angry, just tired.", ["tired"]),
    ],
)
def test_self_feelings(text: str, feelings: list[str]) -> None:
    t = analyse(text)
    assert [text[f.start : f.end] for f in self_feelings(t)] == feelings


def test_situation_feelings_only_when_asked() -> None:
    t = analyse("Honestly, it's so confusing.")
    assert not self_feelings(t)
    assert [f.entry for f in self_feelings(t, situations=True)] == ["confused"]


@pytest.mark.parametrize(
    ("phrase", "adjective"),
    [
        ("worried", "worried"),
        ("worry", "worried"),
        ("anxiety", "anxious"),
        ("confusing", "confused"),
        ("a burden", "like a burden"),
        ("like a failure", "like a failure"),
        ("at the end of my tether", "at the end of your tether"),
        ("struggling", "overwhelmed"),
        ("grief", "sad"),
        ("hate", None),
        ("love", None),
        ("miss", None),
        ("running on empty", None),
        ("table", None),
    ],
)
def test_feeling_adjective(phrase: str, adjective: str | None) -> None:
    assert feeling_adjective(phrase) == adjective


def test_topic_stems_leave_out_generic_words() -> None:
    t = analyse("It sounds really hard to explain to people at work about your knee.")
    stems = topic_stems(t.words)
    assert {stem("knee"), stem("work")} <= stems
    assert not {stem(w) for w in ("hard", "explain", "people", "really")} & stems


# --- matching: the quick paths give what the full search gives ----------------------------


def _sample_texts() -> list[str]:
    loading = pytest.importorskip("empathy_training.loading")
    try:
        library = loading.load_library()
    except (FileNotFoundError, loading.ScenarioError):
        pytest.skip("scenario library not available")
    texts = [e.text for v in library.vignettes for e in v.exemplars]
    return texts + [v.statement for v in library.vignettes] + ["So, um, well... you know, fine."]


def test_may_match_never_hides_a_match() -> None:
    lex = lexicons()
    values = [getattr(lex, f.name) for f in dataclasses.fields(lex)]
    matchers = [m for m in values if isinstance(m, PhraseMatcher)]
    for spec in lex.roadblocks:
        matchers += [m for m in (spec.anywhere, spec.clause_start, spec.unless) if m]
    for text in _sample_texts():
        t = analyse_once(text)
        for matcher in matchers:
            if find_all(matcher, t):
                assert may_match(matcher, t), text


def test_kept_and_fresh_analysis_match_alike() -> None:
    lex = lexicons()
    for text in _sample_texts()[:60]:
        kept, fresh = analyse(text), analyse_once(text)
        assert kept.words == fresh.words and kept.sentences == fresh.sentences
        for matcher in (lex.stems, lex.meaning, lex.by_id["ordering"].anywhere, lex.frames):
            assert find_all(matcher, kept) == find_all(matcher, fresh)


def test_opening_positions_skip_discourse_words() -> None:
    t = analyse_once("So, well, you know, you're tired. Anyway fine.")
    positions = opening_positions(t, [0, 34])
    assert {0, 20} <= positions  # 'So' and 'you're' after the discourse words
    assert 34 in positions
    plain = re.compile(_discourse_prefix(), re.IGNORECASE)
    for text in _sample_texts()[:80]:
        t = analyse_once(text)
        starts = [c.start for c in t.clauses]
        expected: set[int] = set()
        for start in starts:
            expected.add(start)
            end = plain.match(t.norm, start)
            stop = end.end() if end is not None else start
            expected.update(w.start for w in t.words_in(start, stop + 1))
            expected.add(stop)
        assert opening_positions(t, starts) == expected, text


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_words_are_those_of_the_general_pattern(text: str) -> None:
    norm = normalise(text)
    words = analyse_once(text).words
    assert [(w.start, w.end) for w in words] == [m.span() for m in WORD.finditer(norm)]
    assert [w.lower for w in words] == [m.group().lower() for m in WORD.finditer(norm)]


@given(st.text(max_size=200))
def test_words_are_found_where_the_pattern_finds_them(text: str) -> None:
    norm = normalise(text)
    assert [(w.start, w.end) for w in analyse_once(text).words] == [
        m.span() for m in WORD.finditer(norm)
    ]
