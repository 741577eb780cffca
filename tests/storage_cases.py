"""An attempt with every part filled in, and a helper that stores it, for the store's tests."""

from __future__ import annotations

from empathy_training.models import (
    Assessment,
    CriterionResult,
    Epitome,
    RiskCue,
    RoadblockFinding,
    Span,
    VignetteAccuracy,
)
from empathy_training.storage import Store

RESPONSE = "Don't worry, at least you still have your job. It sounds like you feel trapped."


def full_assessment(response: str = RESPONSE) -> Assessment:
    """An assessment with every optional part filled in, written by hand."""
    worry = Span(0, 12, response[0:12])
    trapped = Span(49, 80, response[49:80])
    return Assessment(
        response=response,
        hrq_level=2,
        behaviour="reflection",
        question_type=None,
        reflection_depth="simple",
        roadblocks=(
            RoadblockFinding("reassuring", worry, "Name the worry instead of soothing it."),
            RoadblockFinding("reassuring", Span(14, 22, response[14:22])),
        ),
        validation_level=2,
        epitome=Epitome(er=1, ip=2, ex=0),
        criteria=(
            CriterionResult(
                "no-roadblocks", "No roadblocks", False, (worry,), "Drop 'don't worry'."
            ),
            CriterionResult("names-feeling", "Names a feeling", True, (trapped,)),
        ),
        feedback="A reflection, weakened by reassurance.",
        confidence=0.72,
        scorer_version="1.2.3",
        rubric="reflection",
        vignette_id="job-loss",
        accuracy=VignetteAccuracy(
            caught=("trapped",),
            missed=("ashamed", "money worries"),
            over_interpretations=(Span(62, 66, response[62:66]),),
            missed_risks=(RiskCue("hopelessness", "what's the point", ("point",)),),
            score=0.25,
        ),
        evidence={"hrq_level": (trapped,), "epitome.er": (worry, trapped)},
    )


def submit(store: Store, trainee_id: int, key: str | None = None, **extra: object) -> int:
    record = store.record_attempt(
        trainee_id,
        vignette_id=str(extra.get("vignette_id", "job-loss")),
        module_id="reflections",
        response=RESPONSE,
        assessment=full_assessment(),
        client_attempt_id=key,
        workshop_id=extra.get("workshop_id"),  # type: ignore[arg-type]
    )
    return record.id
