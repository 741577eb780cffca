"""Tests for the statistical response-type classifier and its shipped weights."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from empathy_training import behaviour
from empathy_training.behaviour import (
    MAX_CHARS,
    MODEL_VERSION,
    Prediction,
    predict_behaviour,
    predict_question_type,
    predict_reflection_depth,
)

ROOT = Path(__file__).resolve().parents[1]


def assert_valid(prediction: Prediction, text: str, labels: set[str]) -> None:
    """A prediction has every label, probabilities that sum to one, and spans inside text."""
    assert isinstance(prediction, Prediction)
    assert set(prediction.probabilities) == labels
    assert prediction.label in labels
    assert all(0.0 <= p <= 1.0 for p in prediction.probabilities.values())
    assert math.isclose(sum(prediction.probabilities.values()), 1.0, abs_tol=1e-9)
    assert prediction.probabilities[prediction.label] == max(prediction.probabilities.values())
    for start, end in prediction.evidence:
        assert 0 <= start < end <= len(text)


BEHAVIOURS = {"reflection", "question", "input", "other"}
DEPTHS = {"simple", "complex"}
QUESTION_TYPES = {"open", "closed"}


def test_shipped_weights_load() -> None:
    models = behaviour._models()
    assert set(models) == {"behaviour", "reflection_depth", "question_type"}
    assert set(models["behaviour"].labels) == BEHAVIOURS
    assert set(models["reflection_depth"].labels) == DEPTHS
    assert set(models["question_type"].labels) == QUESTION_TYPES
    assert MODEL_VERSION


def test_weights_file_matches_the_code_and_stays_small() -> None:
    path = Path(behaviour.__file__).parent / "data" / "behaviour-model.json"
    assert path.stat().st_size < 2_000_000
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["version"] == MODEL_VERSION
    assert document["max_chars"] == MAX_CHARS


def test_cue_phrases_become_features_with_spans() -> None:
    cues = behaviour.cue_index({"reflect": ["it sounds like"], "filler": ["okay", "so"]})
    response = "Okay, so it sounds like you're tired."
    features = behaviour.featurize(response, "I'm so tired.", cues=cues)
    value, spans = features["cue:reflect"]
    assert value == 1.0
    assert [response[s:e] for s, e in spans] == ["it sounds like"]
    assert "f:it" in features and "f:okay" not in features
    assert response[slice(*features["w:tired"][1][0])] == "tired"


def test_question_focus_reads_only_the_question() -> None:
    response = "It sounds like mornings are hard. What helps?"
    features = behaviour.featurize(response, questions_only=True)
    assert "w:what" in features and "w:mornings" not in features
    assert "w:mornings" in behaviour.featurize(response)


def test_prediction_is_frozen() -> None:
    prediction = predict_behaviour("Okay.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        prediction.label = "question"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("response", "client", "expected"),
    [
        (
            "It sounds like you feel overwhelmed by everything at work.",
            "I have so much to do at work and I can't keep up.",
            "reflection",
        ),
        (
            "You're worried about how your son is doing at school.",
            "My son keeps failing his exams and I don't know what to do.",
            "reflection",
        ),
        ("What would you like to do about it?", "I don't know.", "question"),
        ("How do you feel about that?", "", "question"),
        ("Do you drink every day?", "", "question"),
        ("Mm-hmm.", "And then I went home.", "other"),
        ("Okay.", "That's all.", "other"),
    ],
)
def test_obvious_behaviours(response: str, client: str, expected: str) -> None:
    prediction = predict_behaviour(response, client)
    assert prediction.label == expected, prediction.probabilities
    assert_valid(prediction, response, BEHAVIOURS)


def test_advice_is_not_a_reflection() -> None:
    prediction = predict_behaviour(
        "I would recommend cutting down to two drinks a day and keeping a diary of when you drink.",
        "I drink quite a lot most evenings.",
    )
    assert prediction.label == "input", prediction.probabilities


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What would you like to change?", "open"),
        ("How has that been for you?", "open"),
        ("Tell me more about what happened.", "open"),
        ("Do you smoke?", "closed"),
        ("Are you taking your medication every day?", "closed"),
        ("Is that right?", "closed"),
    ],
)
def test_obvious_question_types(question: str, expected: str) -> None:
    prediction = predict_question_type(question)
    assert prediction.label == expected, prediction.probabilities
    assert_valid(prediction, question, QUESTION_TYPES)


def test_double_sided_reflection_leans_complex() -> None:
    client = "I know I should quit, but smoking is the only thing that helps me relax."
    double = predict_reflection_depth(
        "Part of you wants to quit, and part of you worries about losing the one thing that "
        "calms you down.",
        client,
    )
    parrot = predict_reflection_depth("Smoking helps you relax.", client)
    assert double.probabilities["complex"] > parrot.probabilities["complex"]


def test_evidence_points_at_words() -> None:
    response = "What brings you here today?"
    prediction = predict_behaviour(response)
    assert prediction.evidence
    highlighted = " ".join(response[s:e] for s, e in prediction.evidence)
    assert "?" in highlighted or "What" in highlighted


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\t",
        "?",
        "😀😢🙏",
        "<script>alert('x')</script><b>You feel</b>",
        "Je me sens très seul depuis que ma femme est partie.",
        "你觉得怎么样？",
        "مرحبا كيف حالك؟",
        "İstanbul İİİ ﬁne ß",
        "\x00\x01\ud7ff",
        "a" * 10_000,
        "you " * 50_000,
    ],
)
def test_never_raises_on_odd_text(text: str) -> None:
    assert_valid(predict_behaviour(text, text), text, BEHAVIOURS)
    assert_valid(predict_reflection_depth(text, text), text, DEPTHS)
    assert_valid(predict_question_type(text), text, QUESTION_TYPES)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=200))
def test_never_raises_on_any_text(response: str, client: str) -> None:
    assert_valid(predict_behaviour(response, client), response, BEHAVIOURS)
    assert_valid(predict_reflection_depth(response, client), response, DEPTHS)
    assert_valid(predict_question_type(response), response, QUESTION_TYPES)


def test_evidence_stays_in_the_featurized_prefix() -> None:
    response = "So you feel stuck. " * 40_000
    prediction = predict_behaviour(response)
    assert all(end <= MAX_CHARS for _, end in prediction.evidence)


def test_a_megabyte_is_read_only_up_to_the_limit() -> None:
    """A huge response costs no more than its first MAX_CHARS characters (speed: benchmarks/)."""
    response = ("It sounds like you feel stuck? " * 40_000)[:1_000_000]
    whole = predict_behaviour(response, response)
    prefix = predict_behaviour(response[:MAX_CHARS], response[:MAX_CHARS])
    assert whole == prefix
    assert dict(behaviour.featurize(response)) == dict(behaviour.featurize(response[:MAX_CHARS]))


def test_deterministic() -> None:
    response = "So you'd like to cut down, but you're not sure where to start?"
    client = "I want to cut down but I don't know how."
    first = predict_behaviour(response, client)
    behaviour._scores.cache_clear()
    assert predict_behaviour(response, client) == first
    assert predict_reflection_depth(response, client) == predict_reflection_depth(response, client)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_ascii_tokens_match_the_general_normalisation(text: str) -> None:
    general = [(behaviour._token_norm(m[0]), *m.span()) for m in behaviour._TOKEN.finditer(text)]
    assert behaviour._tokens(text) == general


def test_non_ascii_tokens_are_normalised() -> None:
    assert behaviour._tokens("You’re 42 CAFÉ") == [("you're", 0, 6), ("0", 7, 9), ("café", 10, 14)]


def test_weighted_features_keep_their_values() -> None:
    features = behaviour.featurize("Tired today, tired always. You you.", "I'm so tired.")
    assert features["overlap"] == (0.5, ((0, 5), (13, 18)))
    assert features["you_share"] == (1.0, ((27, 30), (31, 34)))
    assert features["w:tired"] == (1.0, ((0, 5), (13, 18)))


def test_statement_cache_keeps_statements_apart() -> None:
    response = "You feel tired and sad about the move."
    tired = predict_reflection_depth(response, "I'm so tired.")
    moving = predict_reflection_depth(response, "The move went fine, I'm happy.")
    behaviour._client.cache_clear()
    behaviour._scores.cache_clear()
    assert predict_reflection_depth(response, "I'm so tired.") == tired
    assert predict_reflection_depth(response, "The move went fine, I'm happy.") == moving
    assert tired.probabilities != moving.probabilities


def _training_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "train_behaviour", ROOT / "scripts" / "train_behaviour.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_split_is_deterministic_and_by_video() -> None:
    script = _training_script()
    url = "https://www.youtube.com/watch?v=example"
    assert script.is_validation_video(url) == script.is_validation_video(url)
    share = sum(script.is_validation_video(f"video-{i}") for i in range(2000)) / 2000
    assert 0.15 < share < 0.25


def test_shared_data_dir_honours_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _training_script()
    monkeypatch.setenv(script.DATA_ENV, "somewhere")
    assert script.shared_data_dir() == Path("somewhere")
    assert script.shared_data_dir("elsewhere") == Path("elsewhere")


def test_parity_with_shared_data() -> None:
    """The shipped runtime reproduces the labels the training data implies (needs shared data)."""
    script = _training_script()
    data_dir = script.shared_data_dir(os.environ.get(script.DATA_ENV))
    if not (data_dir / "annomi" / "AnnoMI-simple.csv").is_file():
        pytest.skip("shared AnnoMI data not present")
    data = script.load_annomi(data_dir)
    held_out = data[data["validation"]]
    assert held_out["video_url"].nunique() >= 10
    assert not set(held_out["video_url"]) & set(data.loc[~data["validation"], "video_url"])
    correct = sum(
        predict_behaviour(r, c).label == g
        for r, c, g in zip(
            held_out["response"], held_out["client_statement"], held_out["behaviour"], strict=True
        )
    )
    assert correct / len(held_out) > 0.7
