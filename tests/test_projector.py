"""The projector: anonymised order, the responses to choose from, and the slide the room sees."""

from __future__ import annotations

from dataclasses import replace

import pytest

from empathy_training.models import Library
from empathy_training.projector import anonymised, candidates, projector_slide
from empathy_training.workshop import latest_attempts, room_summary

from rooms import WORKSHOP, Room, example_room


@pytest.fixture
def room() -> Room:
    return example_room()


def test_anonymised_hides_names_and_order(room: Room) -> None:
    latest = latest_attempts(a for a in room.attempts if a.vignette_id == "v-one")
    shown = anonymised(latest, seed="7:v-one")
    assert sorted(r.attempt_id for r in shown) == [a.id for a in latest]
    assert [r.text for r in shown] == [r.text for r in anonymised(latest, seed="7:v-one")]
    assert not any(name in repr(r) for r in shown for name in ("Ana", "Ben", "Cai", "Dee", "Eve"))
    orders = {tuple(r.attempt_id for r in anonymised(latest, seed=str(s))) for s in range(20)}
    assert len(orders) > 1  # the order depends on the seed, not on who answered first


def test_anonymised_keeps_places_when_responses_arrive(room: Room) -> None:
    before = [r.attempt_id for r in anonymised(room.attempts[:4], seed="s")]
    after = [r.attempt_id for r in anonymised(room.attempts, seed="s") if r.attempt_id <= 4]
    assert before == after


def test_candidates_are_each_trainees_latest_answer_to_the_vignette(room: Room) -> None:
    shown = candidates(WORKSHOP.id, "v-one", room.attempts)
    texts = sorted(r.text for r in shown)
    assert texts == sorted(
        [
            "You feel worn out.",
            "Part of you wants rest.",
            "Why not try yoga?",
            "At least it is over. You should relax.",
        ]
    )  # Ben's first try is gone; v-two's answer is not here
    assert [r.attempt_id for r in shown] == [
        r.attempt_id for r in candidates(WORKSHOP.id, "v-one", list(reversed(room.attempts)))
    ]


def test_a_slide_shows_the_chosen_responses_and_how_far_the_room_is(
    room: Room, library: Library
) -> None:
    vignette = library.vignettes[0]
    summary = room_summary("v-one", room.attempts, room.trainees)
    chosen = candidates(WORKSHOP.id, "v-one", room.attempts)[:2]
    slide = projector_slide(WORKSHOP, vignette, summary, chosen, join_url="http://x/")
    assert slide.responses == tuple(r.text for r in chosen)
    assert slide.progress == "4 of 5 have answered."
    assert slide.vignette == vignette and slide.join_code == WORKSHOP.join_code
    assert slide.exemplars == ()  # not released
    assert not slide.invites_joining and not slide.ended
    released = projector_slide(replace(WORKSHOP, exemplars_released=True), vignette, summary, [])
    assert released.exemplars and released.exemplars[0].level == max(
        e.level for e in vignette.exemplars
    )


def test_an_empty_room_is_invited_to_join_not_told_everyone_answered(library: Library) -> None:
    empty = room_summary("v-one", [], [])
    slide = projector_slide(WORKSHOP, library.vignettes[0], empty, [])
    assert slide.progress == "Nobody has joined yet."
    assert "Everyone" not in slide.progress and slide.invites_joining
    ended = projector_slide(replace(WORKSHOP, closed=True), library.vignettes[0], empty, [])
    assert ended.ended and not ended.invites_joining


@pytest.mark.parametrize(
    ("answered", "joined", "line"),
    [
        (0, 0, "Nobody has joined yet."),
        (0, 3, "Nobody has answered yet (3 joined)."),
        (2, 3, "2 of 3 have answered."),
        (3, 3, "Everyone has answered."),
        (1, 1, "The one trainee has answered."),
    ],
)
def test_the_progress_line(answered: int, joined: int, line: str) -> None:
    from empathy_training.workshop import answered_line

    assert answered_line(answered, joined) == line
