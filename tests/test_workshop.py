"""Workshop room summaries: latest attempts, level spread, MITI thresholds, who has answered."""

from __future__ import annotations

import math

import pytest

from empathy_training.workshop import (
    BELOW_FAIR,
    FAIR,
    GOOD,
    NO_DATA,
    Submission,
    judge,
    latest_attempts,
    level_chart,
    room_summaries,
    room_summary,
)

from rooms import Room, assessment, example_room


@pytest.fixture
def room() -> Room:
    return example_room()


def test_latest_attempt_per_trainee_and_vignette(room: Room) -> None:
    latest = latest_attempts(room.attempts)
    assert [a.id for a in latest] == [2, 3, 4, 5, 6]
    assert all(a.response != "You should rest." for a in latest)


def test_level_spread_roadblocks_and_not_answered(room: Room) -> None:
    summary = room_summary("v-one", room.attempts, room.trainees)
    assert summary.answered == 4
    assert summary.level_counts == (2, 0, 1, 1, 0)
    assert summary.mean_level == pytest.approx((1 + 3 + 4 + 1) / 4)
    # advising: Cai and Dee (Ben's advising attempt was replaced); then in Gordon's order
    assert summary.roadblocks == (("advising", 2), ("moralizing", 1), ("reassuring", 1))
    assert summary.top_roadblocks(1) == (("advising", 2),)
    assert summary.not_answered == ("Eve",)
    assert summary.joined == 5 and not summary.everyone_answered


def test_room_ratio_and_complex_share_against_miti(room: Room) -> None:
    summary = room_summary("v-one", room.attempts, room.trainees)
    # reflections: Ana (simple), Ben (complex); questions: Cai
    assert (summary.reflections, summary.complex_reflections, summary.questions) == (2, 1, 1)
    assert summary.reflection_to_question.value == pytest.approx(2.0)
    assert summary.reflection_to_question.label == GOOD
    assert summary.complex_share.value == pytest.approx(0.5)
    assert summary.complex_share.label == GOOD


def test_vignette_nobody_or_few_answered(room: Room) -> None:
    two, three = room_summaries(["v-two", "v-three"], room.attempts, room.trainees)
    assert two.answered == 1 and two.level_counts == (0, 1, 0, 0, 0)
    assert two.reflection_to_question.value == 0.0
    assert two.reflection_to_question.label == BELOW_FAIR
    assert two.complex_share.label == NO_DATA and two.complex_share.value is None
    assert two.not_answered == ("Ben", "Cai", "Dee", "Eve")
    assert three.answered == 0 and three.mean_level is None
    assert three.reflection_to_question.label == NO_DATA
    assert three.not_answered == ("Ana", "Ben", "Cai", "Dee", "Eve")


def test_reflections_without_questions_are_good() -> None:
    room = Room()
    sam = room.trainee("Sam")
    room.answer(sam, "v-one", assessment("You feel stuck.", 3, depth="simple"))
    summary = room_summary("v-one", room.attempts, room.trainees)
    assert summary.reflection_to_question.value == math.inf
    assert summary.reflection_to_question.label == GOOD
    assert summary.complex_share.value == 0.0 and summary.complex_share.label == BELOW_FAIR


def test_a_reflection_with_a_question_counts_for_both() -> None:
    room = Room()
    sam = room.trainee("Sam")
    both = assessment("You're exhausted. What helps?", 4, depth="complex", question="open")
    room.answer(sam, "v-one", both)
    summary = room_summary("v-one", room.attempts, room.trainees)
    assert (summary.reflections, summary.questions) == (1, 1)
    assert summary.reflection_to_question.label == FAIR


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (None, NO_DATA),
        (0.0, BELOW_FAIR),
        (0.99, BELOW_FAIR),
        (1.0, FAIR),
        (1.99, FAIR),
        (2.0, GOOD),
        (math.inf, GOOD),
    ],
)
def test_reflection_to_question_thresholds(value: float | None, label: str) -> None:
    assert judge(value, fair=1.0, good=2.0).label == label


@pytest.mark.parametrize(
    ("value", "label"), [(0.39, BELOW_FAIR), (0.4, FAIR), (0.49, FAIR), (0.5, GOOD), (1.0, GOOD)]
)
def test_complex_share_thresholds(value: float, label: str) -> None:
    assert judge(value, fair=0.4, good=0.5).label == label


def test_level_chart_is_a_png(room: Room) -> None:
    png = level_chart(room_summary("v-one", room.attempts, room.trainees), "v-one")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_submission_summarises_like_the_record(room: Room) -> None:
    submissions = [Submission.of(a) for a in room.attempts]
    assert submissions[0].assessment == room.attempts[0].assessment
    assert room_summary("v-one", submissions, room.trainees) == room_summary(
        "v-one", room.attempts, room.trainees
    )


def test_nobody_joined_is_not_everyone_answered() -> None:
    summary = room_summary("v-one", [], [])
    assert summary.joined == 0 and summary.not_answered == ()
    assert not summary.everyone_answered


def test_everyone_answered_once_all_who_joined_did() -> None:
    room = Room()
    for name in ("Sam", "Kim"):
        room.answer(room.trainee(name), "v-one", assessment("You feel stuck.", 3, depth="simple"))
    summary = room_summary("v-one", room.attempts, room.trainees)
    assert summary.joined == 2 and summary.everyone_answered
