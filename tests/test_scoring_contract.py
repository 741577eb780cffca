"""Tests of the scorer's contract: errors, odd input, JSON and evidence, and its agreement
with responses written apart from it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_cases import KNEE, VIGNETTE

from empathy_training.errors import (
    EmptyResponseError,
    InputError,
    NotEnglishError,
    ResponseTooLongError,
)
from empathy_training.models import (
    BEHAVIOURS,
    REFLECTION_DEPTHS,
    Assessment,
)
from empathy_training.scoring import (
    MAX_RESPONSE_CHARS,
    RUBRIC_NAMES,
    SCORER_VERSION,
    score_response,
)

# --- contract ----------------------------------------------------------------------------


def test_unknown_rubric_names_known_ones() -> None:
    with pytest.raises(ValueError, match="reflection"):
        score_response("You're tired.", rubric="nonsense")
    assert set(RUBRIC_NAMES) == {"reflection", "validation", "compassion"}


@pytest.mark.parametrize("response", ["", "   \n\t ", None, float("nan"), pd.NA, 3])
def test_empty_response_raises(response: object) -> None:
    with pytest.raises(EmptyResponseError):
        score_response(response)


def test_a_number_is_refused_as_not_text() -> None:
    with pytest.raises(EmptyResponseError, match=r"not text \(int\)"):
        score_response(12345)


def test_too_long_response_raises() -> None:
    with pytest.raises(ResponseTooLongError, match="20,000"):
        score_response("a" * (MAX_RESPONSE_CHARS + 1))
    assert issubclass(ResponseTooLongError, InputError)


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_to_dict_round_trips_through_json(rubric: str) -> None:
    a = score_response(
        "You're knackered; it sounds like the tablets are a way out if it gets too much. "
        "Are you thinking of ending your life?",
        vignette=VIGNETTE,
        rubric=rubric,
    )
    assert Assessment.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    assert a.scorer_version == SCORER_VERSION
    assert a.rubric == rubric


def test_criteria_feedback_is_complete() -> None:
    a = score_response("You should move somewhere smaller.", client_statement=KNEE)
    assert a.criteria
    for criterion in a.criteria:
        assert criterion.feedback and "{" not in criterion.feedback
    assert a.feedback.count(".") + a.feedback.count("?") >= 1 and "{" not in a.feedback
    assert "'" in a.feedback


def _check(a: Assessment, response: str) -> None:
    assert 1 <= a.hrq_level <= 5
    assert a.validation_level in (0, 2, 3, 4, 5)
    assert a.behaviour in BEHAVIOURS
    assert a.reflection_depth in REFLECTION_DEPTHS
    assert a.question_type in (None, "open", "closed")
    assert 0.0 <= a.confidence <= 1.0
    assert all(v in (0, 1, 2) for v in (a.epitome.er, a.epitome.ip, a.epitome.ex))
    spans = [r.span for r in a.roadblocks]
    spans += [s for c in a.criteria for s in c.evidence]
    spans += [s for group in a.evidence.values() for s in group]
    if a.accuracy is not None:
        spans += list(a.accuracy.over_interpretations)
    for span in spans:
        assert 0 <= span.start <= span.end <= len(response)
        assert response[span.start : span.end] == span.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=400), st.sampled_from(RUBRIC_NAMES))
def test_never_raises_on_arbitrary_text(response: str, rubric: str) -> None:
    if not response.strip():
        return
    try:
        assessment = score_response(response, client_statement=KNEE, rubric=rubric)
    except NotEnglishError:  # refused with a message, never a crash
        return
    _check(assessment, response)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "You're",
                "fed up",
                "don't worry",
                "?",
                ".",
                ",",
                "part of you",
                "\u2019",
                "and",
                "🙂",
                "<script>",
                "être",
                "—",
                "\n",
                "it sounds like",
                "lonely",
                "Have you tried",
            ]
        ),
        min_size=1,
        max_size=40,
    )
)
def test_never_raises_on_phrase_soup(parts: list[str]) -> None:
    response = " ".join(parts)
    if not response.strip():
        return
    try:
        assessment = score_response(response, vignette=VIGNETTE)
    except NotEnglishError:  # refused with a message, never a crash
        return
    _check(assessment, response)


def test_odd_text_is_scored() -> None:
    for response in ("🙂🙂🙂", "<script>alert(1)</script>", "x" * 20_000, "<b>You're tired</b>"):
        _check(score_response(response, client_statement=KNEE), response)
    with pytest.raises(NotEnglishError):
        score_response("<b>Tu es fatigué, tu en as marre</b>", client_statement=KNEE)


def test_agreement_with_scenario_exemplars() -> None:
    """Regression guard on accuracy, not speed: the scorer agrees with the exemplars' labels."""
    loading = pytest.importorskip("empathy_training.loading")
    try:
        library = loading.load_library()
    except (FileNotFoundError, loading.ScenarioError):
        pytest.skip("scenario library not available")
    labels, scores = [], []
    for vignette in library.vignettes:
        for exemplar in vignette.exemplars:
            labels.append(exemplar.level)
            scores.append(score_response(exemplar.text, vignette=vignette).hrq_level)
    if len(labels) < 20:
        pytest.skip("too few exemplars")
    from sklearn.metrics import cohen_kappa_score

    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.6


# --- the client's statement is worked out once for a batch ------------------------------------


def test_statement_is_analysed_once_for_many_responses() -> None:
    from empathy_training.scoring import client, text

    statement = "I've done six night shifts in a row and the ward still calls me on my days off."
    text.analyse.cache_clear()
    client._client_for.cache_clear()
    for i in range(20):
        score_response(f"You're worn out by shift {i}.", client_statement=statement)
    assert text.analyse.cache_info().misses == 1
    assert client._client_for.cache_info().misses == 1
    assert text.analyse(statement).original == statement


# --- generalisation: hand-written responses to statements outside the library ----------------

HANDWRITTEN = Path(__file__).parent / "data" / "scoring" / "handwritten.yml"


def test_agreement_with_handwritten_responses() -> None:
    """A regression guard on responses written and labelled by hand by the scorer's first
    authors (not blind: benchmarks/generalisation.py has the blind figures)."""
    from sklearn.metrics import cohen_kappa_score

    data = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8"))
    labels, scores = [], []
    for item in data["statements"]:
        for response in item["responses"]:
            labels.append(response["level"])
            a = score_response(response["text"], client_statement=item["statement"])
            scores.append(a.hrq_level)
    assert len(labels) >= 25
    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.75


def test_blind_part_of_the_corpus_stays_above_a_floor() -> None:
    """A regression guard on the corpus's blind part (never trained or tuned on): the whole
    scorer's level against the adjudicated labels (figures: benchmarks/generalisation.py)."""
    import json

    from sklearn.metrics import cohen_kappa_score

    corpus = Path(__file__).resolve().parents[1] / "src" / "empathy_training" / "data" / "corpus"
    statements = {}
    for line in (corpus / "statements.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        statements[row["statement_id"]] = row["statement"]
    labels, scores = [], []
    for line in (corpus / "responses.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != "blind":
            continue
        labels.append(row["labels"]["level"])
        a = score_response(row["response"], client_statement=statements[row["statement_id"]])
        scores.append(a.hrq_level)
    assert len(labels) >= 600
    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.75


ALLOTMENT = "My knee has been so bad I can't get to the allotment any more."


@pytest.mark.parametrize(
    "response",
    [
        "Mm-hmm.",
        "So the allotment.",
        "The allotment has been your place for years.",
        "You should rest it. Have you seen a doctor?",
        "It sounds like you miss it.",
    ],
)
def test_behaviour_and_depth_always_cite_evidence(response: str) -> None:
    a = score_response(response, client_statement=ALLOTMENT)
    assert a.evidence["behaviour"]
    if a.reflection_depth != "none":
        assert a.reflection_depth in {"simple", "complex"}
        assert a.evidence["reflection_depth"]


def test_precise_rules_hold_against_the_classifier() -> None:
    assert (
        score_response("It sounds like you miss it.", client_statement=ALLOTMENT).behaviour
        == "reflection"
    )
    advice = score_response("You should rest it and see your doctor.", client_statement=ALLOTMENT)
    assert advice.behaviour == "input"
    assert (
        score_response("What do you miss most?", client_statement=ALLOTMENT).behaviour == "question"
    )


def test_a_fragment_that_says_back_the_clients_words_is_a_reflection() -> None:
    """The depth model decides whether a response reflects, whatever its grammar; the level
    follows from its decision, and the words that earned it are cited."""
    a = score_response("So the allotment.", client_statement=ALLOTMENT)
    assert a.behaviour == "reflection"
    assert a.reflection_depth == "simple"
    assert a.hrq_level == 3
    assert a.evidence["reflection_depth"]


@pytest.mark.parametrize(
    "response",
    [
        "Tu es fatigué et tu en as marre de tout ça.",
        "Estás cansado y harto de todo esto.",
        "你很累了，对吗？我理解你的感受。",
    ],
)
def test_a_response_that_is_not_english_gets_a_clear_message(response: str) -> None:
    with pytest.raises(NotEnglishError, match="reads English"):
        score_response(response, client_statement="I'm so tired of all of it.")


@pytest.mark.parametrize(
    "response",
    ["u r so tired of it all innit", "Hoodies in this heat, lol, I'd melt.", "Ok 👍", "Mm."],
)
def test_informal_english_is_still_scored(response: str) -> None:
    assert score_response(response, client_statement="I'm so tired.").hrq_level in range(1, 6)


FAMILY = (
    "Siobhán keeps telling Pádraig I'm fine, and tía Rosario says Oluwaseun left because of me."
)


@pytest.mark.parametrize(
    "response",
    [
        "So Siobhán, Pádraig and tía Rosario.",  # the client's names
        "I hear u, Wojciech ghosted u.",  # a name the client did not use, and text-speak
        "Abuela, Nkechi, everyone's judging you.",
    ],
)
def test_english_full_of_names_is_still_scored(response: str) -> None:
    assert score_response(response, client_statement=FAMILY).hrq_level in range(1, 6)


def test_a_foreign_sentence_is_refused_even_with_a_letter_from_html_or_a_shared_short_word() -> (
    None
):
    for response in ("<b>Tu es fatigué, tu en as marre</b>", "Je suis désolé pour ta perte."):
        with pytest.raises(NotEnglishError):
            score_response(response, client_statement=FAMILY)
