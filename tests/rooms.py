"""Hand-built workshop rooms (trainees, attempts, assessments) for the pure workshop tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from empathy_training.models import Assessment, Epitome, RoadblockFinding, Span
from empathy_training.storage import AttemptRecord, TraineeRecord, WorkshopRecord

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


def example_room() -> Room:
    """Five trainees; four answered v-one (Ben twice), Ana also v-two, Eve nothing."""
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
