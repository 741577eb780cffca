"""The learned judgements, the HRQ rule over them, and the corpus they are learned from."""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from empathy_training.models import ROADBLOCK_IDS
from empathy_training.scoring import score_response
from empathy_training.scoring.classifiers import (
    HEAD_ORDER,
    Judgements,
    _model,
    _outputs,
    _rows,
    judge,
    load_model,
    model_version,
    reflective_level,
)
from empathy_training.scoring.features import featurize, sentence_spans, word_ngrams
from empathy_training.scoring.risk_cue import (
    RISK_THRESHOLD,
    carries_risk_cue,
    statement_features,
    statement_risk,
    statement_risk_parts,
)

CORPUS = Path(__file__).resolve().parents[1] / "src" / "empathy_training" / "data" / "corpus"
LABELS = {
    "level": {1, 2, 3, 4, 5},
    "behaviour": {"reflection", "question", "input", "other"},
    "question_type": {"none", "open", "closed"},
    "depth": {"none", "simple", "complex"},
    "validation_level": {0, 2, 3, 4, 5},
    "risk_handled": {"na", "taken_up", "passed_over", "safety_error"},
    "er": {0, 1, 2},
    "ip": {0, 1, 2},
    "ex": {0, 1, 2},
}


def _jsonl(name: str) -> list[dict[str, Any]]:
    with (CORPUS / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_the_corpus_is_double_labelled_and_split_by_writer_and_statement() -> None:
    statements = _jsonl("statements.jsonl")
    responses = _jsonl("responses.jsonl")
    assert len(responses) >= 4000 and len(statements) >= 250
    assert len({s["statement_id"] for s in statements}) == len(statements)
    assert len({r["response_id"] for r in responses}) == len(responses)
    split_of = {s["statement_id"]: s["split"] for s in statements}
    writers: dict[str, set[str]] = {"train": set(), "blind": set()}
    for row in responses:
        assert split_of[row["statement_id"]] == row["split"]
        writers[row["split"]].add(row["writer"])
        assert row["rater_a"] and row["rater_b"], row["response_id"]
        assert row["label_source"] in {"agreed", "adjudicated"}
        labels = row["labels"]
        for name, allowed in LABELS.items():
            assert labels[name] in allowed, (row["response_id"], name)
        assert set(labels["roadblocks"]) <= set(ROADBLOCK_IDS)
    assert writers["train"].isdisjoint(writers["blind"])
    assert sum(r["split"] == "blind" for r in responses) >= 600
    texts = Counter(s["statement"] for s in statements)
    assert max(texts.values()) == 1  # no statement appears in both parts


def test_every_head_gives_a_distribution() -> None:
    found = judge("You've been carrying this on your own for a long time.", "I'm so tired.")
    for head, labels in HEAD_ORDER.items():
        assert set(found.probabilities[head]) == set(labels)
        assert sum(found.probabilities[head].values()) == pytest.approx(1.0, abs=1e-5)
    assert all(0.0 <= p <= 1.0 for p in found.binary.values())
    assert {f"roadblock_{r}" for r in ROADBLOCK_IDS} <= set(found.binary)
    assert model_version().startswith("corpus-")
    assert judge("", "") is not None  # no features: the biases alone


def test_the_hidden_layer_ships_with_the_model_and_fits_its_features() -> None:
    model = load_model(resources.files("empathy_training") / "data")
    units = model.hidden.shape[1]
    assert model.hidden.shape == (len(model.vocabulary), units)
    assert model.hidden_bias.shape == (units,)
    widths = {"softmax": lambda spec: len(spec["labels"]), "sigmoid": lambda spec: 1}
    outputs = sum(widths[spec["kind"]](spec) for spec in model.hidden_heads.values())
    assert model.hidden_output.shape == (units, outputs)
    assert set(model.hidden_heads) == {"depth", "any_roadblock", "behaviour", "risk_handling"}
    assert np.isfinite(model.hidden.astype(np.float32)).all()


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max())
    return exp / exp.sum()  # type: ignore[no-any-return]


def test_risk_handling_is_the_mean_of_both_models_readings() -> None:
    model = load_model(resources.files("empathy_training") / "data")
    response = "You're so tired of it all. Are you having thoughts of ending your life?"
    rows = model.vocabulary.rows(featurize(response, NOT_WAKING))
    linear = model.bias + model.weights[rows].astype(np.float32).sum(axis=0)
    units = np.maximum(model.hidden_bias + model.hidden[rows].astype(np.float32).sum(axis=0), 0)
    hidden = units @ model.hidden_output + model.hidden_output_bias
    ours, theirs = model.heads["risk_handling"], model.hidden_heads["risk_handling"]
    assert ours["labels"] == theirs["labels"]
    width = len(ours["labels"])
    expected = (
        _softmax(linear[ours["start"] : ours["start"] + width])
        + _softmax(hidden[theirs["start"] : theirs["start"] + width])
    ) / 2
    found = judge(response, NOT_WAKING).probabilities["risk_handling"]
    assert list(found.values()) == pytest.approx(expected.tolist(), abs=1e-4)
    assert max(found, key=found.__getitem__) == "taken_up"


@pytest.mark.parametrize(
    ("response", "behaviour", "roadblock"),
    [
        ("Have you tried going for a walk every morning? It really helps.", "input", "advising"),
        ("Don't worry, I'm sure everything will be fine.", "other", "reassuring"),
        ("You need to stop drinking right now.", "input", "ordering"),
    ],
)
def test_plain_roadblocks_are_found(response: str, behaviour: str, roadblock: str) -> None:
    found = judge(response, "I can't sleep and I keep drinking to get off.")
    assert found.top("behaviour") == behaviour
    assert roadblock in found.roadblocks


def test_a_plain_reflection_and_a_plain_open_question() -> None:
    statement = "My mum keeps ringing me at work and I can't get anything done."
    reflection = judge("Your mum ringing you at work means you can't get anything done.", statement)
    assert reflection.top("depth") in {"simple", "complex"}
    question = judge("What is it like when she rings you at work?", statement)
    assert question.top("behaviour") == "question"
    assert question.top("question_type") == "open"


def test_statement_risk_tells_a_hint_of_suicide_from_a_bad_day() -> None:
    assert statement_risk(
        "I've sorted out the will and given the dog to my sister. Everyone would be better "
        "off without me, honestly."
    ) > statement_risk("Work was awful today and the bus was late again. I'm fed up.")


GIVING_AWAY = "I've been giving some of my things away. Don't need them where I'm going, really."
NOT_WAKING = (
    "I've been so tired of it all. Some days I wish I could just sleep for a very long time."
)
BAD_DAY = "Work was awful today and the bus was late again. I'm fed up."
ASKS = "Are you having thoughts of ending your life?"


@pytest.mark.parametrize(
    "response",
    [ASKS, "Have you tried going for a walk?", "It sounds like you're worn out.", "ok"],
)
def test_a_response_never_talks_the_scorer_out_of_a_cue(response: str) -> None:
    assert statement_risk(GIVING_AWAY) >= RISK_THRESHOLD
    assert carries_risk_cue(GIVING_AWAY, judge(response, GIVING_AWAY))


def test_a_response_that_asks_about_the_risk_tips_a_hinted_cue_over() -> None:
    assert statement_risk(NOT_WAKING) < RISK_THRESHOLD  # the statement alone is not enough
    assert carries_risk_cue(NOT_WAKING, judge(ASKS, NOT_WAKING))
    assert not carries_risk_cue(NOT_WAKING, judge("Have you tried going for a walk?", NOT_WAKING))
    assert score_response(ASKS, client_statement=NOT_WAKING).risk_handled == "taken_up"


def test_a_response_alone_cannot_put_a_cue_into_an_ordinary_statement() -> None:
    assert not carries_risk_cue(BAD_DAY, judge(ASKS, BAD_DAY))
    assert score_response(ASKS, client_statement=BAD_DAY).risk_handled is None


def _judgements(
    depth: str, roadblock: float = 0.0, unstated: float = 0.0, handling: str = "taken_up"
) -> Judgements:
    probabilities = {
        "depth": {d: float(d == depth) for d in HEAD_ORDER["depth"]},
        "risk_handling": {h: float(h == handling) for h in HEAD_ORDER["risk_handling"]},
    }
    binary = {f"roadblock_{r}": 0.0 for r in ROADBLOCK_IDS}
    binary["roadblock_advising"] = roadblock
    binary["any_roadblock"] = roadblock
    binary["names_unstated"] = unstated
    return Judgements(probabilities, binary)


def test_a_plain_paraphrase_is_not_a_roadblock() -> None:
    found = judge(
        "Your mum's calls at work are making it hard to get anything done.",
        "My mum keeps ringing me at work and I can't get anything done.",
    )
    assert not found.roadblocks


@pytest.mark.parametrize(
    ("depth", "roadblock", "unstated", "level"),
    [
        ("none", 0.9, 0.0, 1),
        ("none", 0.1, 0.0, 2),
        ("simple", 0.9, 0.0, 2),
        ("simple", 0.1, 0.0, 3),
        ("complex", 0.1, 0.2, 4),
        ("complex", 0.1, 0.8, 5),
    ],
)
def test_the_hrq_rule(depth: str, roadblock: float, unstated: float, level: int) -> None:
    assert reflective_level(_judgements(depth, roadblock, unstated), risk_handled=None) == level


def test_risk_caps_the_level() -> None:
    complex_ = _judgements("complex", 0.0, 0.9)
    assert reflective_level(complex_, risk_handled="passed_over") == 2
    assert reflective_level(complex_, risk_handled=None) == 5
    assert reflective_level(complex_, risk_handled="taken_up") == 5
    assert reflective_level(complex_, risk_handled="safety_error") == 1
    asked = _judgements("none", 0.0, 0.0)
    assert reflective_level(asked, risk_handled="taken_up") == 2


def test_features_read_the_response_against_the_statement() -> None:
    echoed = featurize("You feel exhausted.", "I'm exhausted all the time.")
    assert "e:exhausted" in echoed and "n:exhausted" not in echoed
    new = featurize("You feel worn down.", "I'm exhausted all the time.")
    assert "n:worn" in new
    assert featurize("x" * 10_000) == featurize("x" * 10_000)


def test_features_name_the_feelings_the_client_did_not() -> None:
    statement = "I'm so angry with the council. Nobody ever rings back."
    new = featurize("Underneath the anger you sound really let down, even hurt.", statement)
    assert "fn:anger" not in new and "fsame:1" in new  # "angry" and "anger": one family
    assert "fnew:0" not in new and "fn:sadness" in new
    negated = featurize("You're not scared, you're furious.", statement)
    assert "fn:fear" not in negated and "fnew:0" in negated  # "not scared" names no fear
    assert "fsame:1" in negated
    plain = featurize("The council never rings back.", statement)
    assert "fnew:0" in plain and "fsame:0" in plain
    assert not any(f.startswith("fn") for f in featurize("You're scared."))  # no statement


def test_an_ordered_judgement_takes_the_middle_only_when_the_model_is_unsure() -> None:
    split = {"0": 0.44, "2": 0.05, "3": 0.06, "4": 0.0, "5": 0.45}
    unsure = Judgements({"validation": split}, {})
    assert unsure.top("validation") == "5"
    assert unsure.ordinal("validation") == "3"
    sure = Judgements({"validation": {"0": 0.2, "2": 0.0, "3": 0.0, "4": 0.0, "5": 0.8}}, {})
    assert sure.ordinal("validation") == "5"


def test_the_reflection_decides_between_validation_two_and_three() -> None:
    def reads(level: str) -> Judgements:
        return Judgements({"validation": {v: float(v == level) for v in "02345"}}, {})

    for level in ("2", "3"):
        assert reads(level).validation_level("simple") == 2
        assert reads(level).validation_level("complex") == 3
        assert reads(level).validation_level("none") == 0
    assert reads("5").validation_level("simple") == 5  # normalising: the head's own level
    assert reads("4").validation_level("none") == 4
    assert reads("0").validation_level("complex") == 0  # invalidating beside a reflection


SON = "My son hasn't rung since Christmas. I paid for his wedding, I drove him everywhere."
EXAM = "I failed the exam again. Third time. Everyone else in my group passed first go."


@pytest.mark.parametrize(
    ("statement", "response"),
    [
        (SON, "He hasn't rung since Christmas."),
        (SON, "You gave him everything, and the silence feels like none of it counted."),
        (SON, "It sounds like you miss him."),
        (EXAM, "It's knocked your confidence."),  # the head alone read 2 beside a complex depth
        (EXAM, "You failed it three times."),
    ],
)
def test_validation_and_depth_agree_in_what_a_trainee_is_told(
    statement: str, response: str
) -> None:
    a = score_response(response, client_statement=statement)
    assert a.validation_level in (2, 3), response
    assert a.validation_level == {"simple": 2, "complex": 3}[a.reflection_depth], response


def test_a_likely_safety_error_is_called_one_even_when_another_is_likelier() -> None:
    likely = Judgements(
        {"risk_handling": {"taken_up": 0.5, "passed_over": 0.08, "safety_error": 0.42}}, {}
    )
    assert likely.top("risk_handling") == "taken_up"
    assert likely.risk_handling() == "safety_error"
    unlikely = Judgements(
        {"risk_handling": {"taken_up": 0.6, "passed_over": 0.2, "safety_error": 0.2}}, {}
    )
    assert unlikely.risk_handling() == "taken_up"


def test_roadblock_presence_reads_the_any_head_and_the_likeliest_roadblock() -> None:
    def judged(any_roadblock: float, advising: float) -> Judgements:
        binary = {f"roadblock_{r}": 0.0 for r in ROADBLOCK_IDS}
        binary.update(any_roadblock=any_roadblock, roadblock_advising=advising)
        return Judgements({}, binary)

    assert judged(0.3, 0.9).roadblocks == {"advising": 0.9}
    assert judged(0.3, 0.6).roadblocks == {}
    assert judged(0.9, 0.3).roadblocks == {"advising": 0.3}


ORDINARY_TALK = (
    "The physio's been great and my knee is loads better. The grandkids came at the weekend and "
    "we did the zoo. Anyway, the allotment's looking good."
)
GIVEN_AWAY_AMONG_ORDINARY_TALK = (
    "The physio's been great and my knee is loads better. I gave my guitar to my roommate, "
    "because I won't need it. Anyway, the allotment's looking good."
)


def test_a_cue_in_one_sentence_among_ordinary_talk_is_heard() -> None:
    # The sentence that holds the cue is read on its own as well as the whole statement.
    whole, sentence, cue = statement_risk_parts(GIVEN_AWAY_AMONG_ORDINARY_TALK)
    assert sentence is not None and sentence > whole
    assert cue == "I gave my guitar to my roommate, because I won't need it."
    assert statement_risk(GIVEN_AWAY_AMONG_ORDINARY_TALK) >= RISK_THRESHOLD
    alone = "I gave my guitar to my roommate, because I won't need it."
    assert statement_risk(alone) >= RISK_THRESHOLD  # and said alone, in one short sentence
    assert statement_risk(ORDINARY_TALK) < RISK_THRESHOLD
    passed_over = score_response(
        "It sounds like the knee is a lot better.", client_statement=GIVEN_AWAY_AMONG_ORDINARY_TALK
    )
    assert passed_over.risk_handled == "passed_over" and passed_over.hrq_level <= 2
    # the capped level is explained, quoting the sentence that holds the cue
    told = next(c for c in passed_over.criteria if c.id == "takes-up-risk")
    assert not told.met and passed_over.feedback.startswith(
        "The client said 'I gave my guitar to my roommate, because I won't need it', which may "
        "be a sign of risk, and your response passed over it."
    )
    asked = score_response(
        "You gave your guitar away because you won't need it. Are you thinking of ending your "
        "life?",
        client_statement=GIVEN_AWAY_AMONG_ORDINARY_TALK,
    )
    assert asked.risk_handled == "taken_up"
    assert next(c for c in asked.criteria if c.id == "takes-up-risk").met
    ordinary = score_response("It sounds like the knee is better.", client_statement=ORDINARY_TALK)
    assert "takes-up-risk" not in {c.id for c in ordinary.criteria}


@pytest.mark.parametrize(
    "statement",
    [
        GIVEN_AWAY_AMONG_ORDINARY_TALK,
        ORDINARY_TALK,
        "I'm fine.",
        # longer than the features read (MAX_CHARS)
        "The knee is sore again. " * 90 + "I keep the tablets in a drawer, just in case.",
    ],
)
def test_each_sentence_reads_as_if_looked_up_alone(statement: str) -> None:
    # statement_risk_parts looks a statement's features up once and reads its sentences' from
    # them; this is what reading each on its own gives.
    def alone(text: str, head: str) -> float:
        column = _model().heads[head]["start"]
        return float(_outputs(_rows(statement_features(text)))[column])

    whole, sentence, cue = statement_risk_parts(statement)
    assert whole == pytest.approx(alone(statement, "statement_risk"), abs=1e-4)
    each = {
        " ".join(statement[a:b].split()): alone(statement[a:b], "cue_sentence")
        for a, b in sentence_spans(statement)
    }
    assert sentence == pytest.approx(max(each.values()), abs=1e-4)
    assert each[cue] == pytest.approx(sentence, abs=1e-4)


@pytest.mark.parametrize(
    "text",
    ["I’m so tired... Are you? I can’t sleep!", "", "one", "The knee again. " * 200],
)
def test_word_ngrams_are_the_features_words_pairs_and_triples(text: str) -> None:
    expected = tuple(f for f in featurize(text) if f.startswith(("w:", "b:", "t:")))
    assert word_ngrams(text) == expected
    assert not text.strip() or expected


def test_a_sentence_lower_cased_apart_from_its_statement_is_looked_up_alone() -> None:
    # "ΟΔΟΣ" lower-cases to "οδος" at the end of a text and to "οδοσ" when a letter follows
    # the full stop, so this sentence's features are not all the statement's.
    statement = "ΟΔΟΣ.Α I keep the tablets in a drawer, just in case."
    first = statement_features("ΟΔΟΣ.")
    assert not set(first) <= set(statement_features(statement))
    test_each_sentence_reads_as_if_looked_up_alone(statement)
