"""Workshop room summaries, MITI thresholds, exports and the projector's anonymised order."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook

from empathy_training.models import Assessment, Epitome, RoadblockFinding, Span
from empathy_training.storage import AttemptRecord, TraineeRecord, WorkshopRecord
from empathy_training.workshop import (
    BELOW_FAIR,
    EXPORT_COLUMNS,
    FAIR,
    GOOD,
    NO_DATA,
    Submission,
    anonymised,
    export_table,
    judge,
    latest_attempts,
    level_chart,
    pseudonyms,
    room_summaries,
    room_summary,
    to_csv_bytes,
    to_xlsx_bytes,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKSHOP = WorkshopRecord(
    id=7,
    name="Tuesday group",
    join_code="K7QF-2M",
    vignette_ids=("v-one", "v-two"),
    seconds_per_vignette=None,
    created_at=START,
    exemplars_released=False,
    closed=False,
)


def assessment(
    response: str,
    level: int,
    *,
    depth: str = "none",
    question: str | None = None,
    roadblocks: tuple[str, ...] = (),
) -> Assessment:
    behaviour = "reflection" if depth != "none" else "question" if question else "input"
    return Assessment(
        response=response,
        hrq_level=level,
        behaviour=behaviour,
        question_type=question,
        reflection_depth=depth,
        roadblocks=tuple(
            RoadblockFinding(r, Span(0, min(3, len(response)), response[:3])) for r in roadblocks
        ),
        validation_level=2 if depth != "none" else 0,
        epitome=Epitome(er=0, ip=1 if depth != "none" else 0, ex=1 if question else 0),
        criteria=(),
        feedback=f"Feedback on level {level}.",
        confidence=0.8,
        scorer_version="test-1",
    )


class Room:
    """Hand-built attempts and trainees, with ids increasing as a store would give them."""

    def __init__(self) -> None:
        self.trainees: list[TraineeRecord] = []
        self.attempts: list[AttemptRecord] = []

    def trainee(self, name: str) -> TraineeRecord:
        record = TraineeRecord(len(self.trainees) + 1, name, WORKSHOP.id, START)
        self.trainees.append(record)
        return record

    def answer(self, trainee: TraineeRecord, vignette_id: str, a: Assessment) -> AttemptRecord:
        number = len(self.attempts) + 1
        record = AttemptRecord(
            id=number,
            trainee_id=trainee.id,
            workshop_id=WORKSHOP.id,
            module_id="basics",
            vignette_id=vignette_id,
            response=a.response,
            assessment_data=a.to_dict(),
            hrq_level=a.hrq_level,
            scorer_version=a.scorer_version,
            created_at=START + timedelta(minutes=number),
            client_attempt_id=None,
        )
        self.attempts.append(record)
        return record


@pytest.fixture
def room() -> Room:
    room = Room()
    ana, ben, cai, dee, eve = (room.trainee(n) for n in ("Ana", "Ben", "Cai", "Dee", "Eve"))
    # Ben's first try is replaced by his second: only the latest counts.
    room.answer(ben, "v-one", assessment("You should rest.", 1, roadblocks=("advising",)))
    room.answer(ana, "v-one", assessment("You feel worn out.", 3, depth="simple"))
    room.answer(ben, "v-one", assessment("Part of you wants rest.", 4, depth="complex"))
    room.answer(
        cai,
        "v-one",
        assessment("Why not try yoga?", 1, question="closed", roadblocks=("advising",)),
    )
    room.answer(
        dee,
        "v-one",
        assessment(
            "At least it is over. You should relax.",
            1,
            roadblocks=("reassuring", "moralizing", "advising"),
        ),
    )
    room.answer(ana, "v-two", assessment("What worries you most?", 2, question="open"))
    del eve  # joined, answered nothing
    return room


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


# --- export ------------------------------------------------------------------------------


def test_export_has_every_attempt_and_the_contract_columns(room: Room) -> None:
    table = export_table(room.attempts, room.trainees, pseudonymise=False, workshops=[WORKSHOP])
    assert list(table.columns) == list(EXPORT_COLUMNS)
    assert len(table) == len(room.attempts)
    dee = table[table["trainee"] == "Dee"].iloc[0]
    assert dee["roadblocks"] == "reassuring;moralizing;advising"
    assert dee["hrq_level"] == 1 and dee["workshop"] == "Tuesday group"
    assert dee["feedback"] == "Feedback on level 1."
    cai = table[table["trainee"] == "Cai"].iloc[0]
    assert cai["question_type"] == "closed" and cai["epitome_ex"] == 1
    assert set(table["scorer_version"]) == {"test-1"}
    assert str(table["time"].dt.tz) == "UTC"


def test_pseudonymised_export_has_no_real_names(room: Room) -> None:
    table = export_table(room.attempts, room.trainees, pseudonymise=True)
    # Ben answered first, then Ana, Cai, Dee; Eve never answered
    assert list(table["trainee"]) == [
        "Trainee 01",
        "Trainee 02",
        "Trainee 01",
        "Trainee 03",
        "Trainee 04",
        "Trainee 02",
    ]
    text = to_csv_bytes(table).decode()
    for name in ("Ana", "Ben", "Cai", "Dee", "Eve"):
        assert name not in text
    assert pseudonyms(room.attempts) == pseudonyms(reversed(room.attempts))  # stable


def test_pseudonyms_widen_past_99() -> None:
    room = Room()
    for n in range(120):
        room.answer(room.trainee(f"T{n}"), "v-one", assessment("You feel it.", 3, depth="simple"))
    names = pseudonyms(room.attempts)
    assert names[1] == "Trainee 001" and names[120] == "Trainee 120"


def test_csv_round_trips_and_defuses_formulas(room: Room) -> None:
    evil = room.trainee("=cmd|' /C calc'!A0")
    room.answer(evil, "v-two", assessment('=HYPERLINK("http://x")', 2))
    table = export_table(room.attempts, room.trainees, pseudonymise=False)
    back = pd.read_csv(io.BytesIO(to_csv_bytes(table)), keep_default_na=False)
    assert list(back.columns) == list(EXPORT_COLUMNS)
    assert len(back) == len(room.attempts)
    assert back["response"].iloc[-1] == '\'=HYPERLINK("http://x")'
    assert back["trainee"].iloc[-1].startswith("'=")
    raw = pd.read_csv(io.BytesIO(to_csv_bytes(table, formula_safe=False)), keep_default_na=False)
    assert raw["response"].iloc[-1] == '=HYPERLINK("http://x")'


def test_xlsx_keeps_text_as_text(room: Room) -> None:
    sam = room.trainee("Sam")
    room.answer(sam, "v-two", assessment("=1+1\x07 and a bell", 2))
    table = export_table(room.attempts, room.trainees, pseudonymise=False, workshops=[WORKSHOP])
    workbook = load_workbook(io.BytesIO(to_xlsx_bytes(table)))
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert len(rows) == len(room.attempts) + 1
    last = dict(zip(EXPORT_COLUMNS, rows[-1], strict=True))
    assert last["response"] == "=1+1 and a bell"  # text, not a formula; the bell dropped
    assert last["trainee"] == "Sam" and last["hrq_level"] == 2
    assert isinstance(last["time"], datetime)
    assert sheet.cell(row=len(rows), column=EXPORT_COLUMNS.index("response") + 1).data_type == "s"


def test_empty_export_still_has_the_columns() -> None:
    table = export_table([], [], pseudonymise=True)
    assert list(table.columns) == list(EXPORT_COLUMNS) and table.empty
    assert to_csv_bytes(table).decode().strip() == ",".join(EXPORT_COLUMNS)
    assert to_xlsx_bytes(table).startswith(b"PK")


# --- projector ---------------------------------------------------------------------------


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
