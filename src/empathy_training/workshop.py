"""A workshop room at a glance: per-vignette summaries against MITI thresholds."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from .models import ROADBLOCK_IDS, Assessment

#: MITI 4.2.1 reflection-to-question ratio thresholds: fair 1:1, good 2:1.
RQ_FAIR = 1.0
RQ_GOOD = 2.0
#: MITI 4.2.1 complex reflections as a share of all reflections: fair 40%, good 50%.
CR_FAIR = 0.40
CR_GOOD = 0.50
#: Labels for a measure judged against its thresholds.
BELOW_FAIR = "below fair"
FAIR = "fair"
GOOD = "good"
#: Label when the measure cannot be computed yet (nothing to divide by).
NO_DATA = "no data"
#: Reflective-listening levels, in chart order.
LEVELS = (1, 2, 3, 4, 5)
#: Colour of each level's bar, matching the apps' level badges.
LEVEL_COLOURS = ("#a8322d", "#9a6a00", "#3b6e8f", "#2f7d4f", "#1f5e3a")


class Attempt(Protocol):
    """What these functions read from an attempt (`storage.AttemptRecord` has it all)."""

    @property
    def id(self) -> int:
        """Increases in commit order."""

    @property
    def trainee_id(self) -> int:
        """Who answered."""

    @property
    def workshop_id(self) -> int | None:
        """The workshop it was answered in, if any."""

    @property
    def module_id(self) -> str:
        """Module of the vignette."""

    @property
    def vignette_id(self) -> str:
        """Vignette answered."""

    @property
    def response(self) -> str:
        """The trainee's words."""

    @property
    def created_at(self) -> datetime:
        """When it was stored."""

    @property
    def assessment(self) -> Assessment:
        """The scorer's judgement."""


class Trainee(Protocol):
    """What these functions read from a trainee (`storage.TraineeRecord` has it)."""

    @property
    def id(self) -> int:
        """Database id."""

    @property
    def display_name(self) -> str:
        """Name as typed."""


class Workshop(Protocol):
    """What these functions read from a workshop (`storage.WorkshopRecord` has it)."""

    @property
    def id(self) -> int:
        """Database id."""

    @property
    def name(self) -> str:
        """Name the supervisor gave it."""


A = TypeVar("A", bound=Attempt)


@dataclass(frozen=True)
class Submission:
    """An attempt with its assessment rebuilt once, for views that summarise it again and again."""

    id: int
    """Attempt id."""
    trainee_id: int
    """Who answered."""
    workshop_id: int | None
    """The workshop it was answered in, if any."""
    module_id: str
    """Module of the vignette."""
    vignette_id: str
    """Vignette answered."""
    response: str
    """The trainee's words."""
    created_at: datetime
    """When it was stored (UTC)."""
    assessment: Assessment
    """The scorer's judgement."""

    @classmethod
    def of(cls, attempt: Attempt) -> Submission:
        """Copy an attempt, rebuilding its assessment once."""
        return cls(
            id=attempt.id,
            trainee_id=attempt.trainee_id,
            workshop_id=attempt.workshop_id,
            module_id=attempt.module_id,
            vignette_id=attempt.vignette_id,
            response=attempt.response,
            created_at=attempt.created_at,
            assessment=attempt.assessment,
        )


@dataclass(frozen=True)
class Proficiency:
    """A room-level measure and how it compares with MITI's fair and good thresholds."""

    value: float | None
    """The measure; None when there is nothing to divide by; inf for reflections only."""
    label: str
    """BELOW_FAIR, FAIR, GOOD, or NO_DATA."""


def judge(value: float | None, *, fair: float, good: float) -> Proficiency:
    """Label `value` against the fair and good thresholds (reaching a threshold meets it)."""
    if value is None or math.isnan(value):
        return Proficiency(None, NO_DATA)
    if value >= good:
        return Proficiency(value, GOOD)
    if value >= fair:
        return Proficiency(value, FAIR)
    return Proficiency(value, BELOW_FAIR)


@dataclass(frozen=True)
class RoomSummary:
    """How the room answered one vignette, counting each trainee's latest attempt only."""

    vignette_id: str
    """The vignette summarised."""
    answered: int
    """Trainees who have answered it."""
    level_counts: tuple[int, int, int, int, int]
    """How many latest attempts reached each reflective-listening level, 1 to 5."""
    roadblocks: tuple[tuple[str, int], ...]
    """(roadblock id, responses containing it), most common first."""
    reflections: int
    """Responses containing a reflection (simple or complex)."""
    complex_reflections: int
    """Responses containing a complex reflection."""
    questions: int
    """Responses asking a question."""
    reflection_to_question: Proficiency
    """Reflections per question, against MITI's fair 1:1 and good 2:1."""
    complex_share: Proficiency
    """Complex reflections among reflections, against MITI's fair 40% and good 50%."""
    not_answered: tuple[str, ...]
    """Display names of the workshop's trainees with no attempt at it, in joining order."""
    joined: int
    """Trainees in the workshop, whether they answered or not."""

    @property
    def mean_level(self) -> float | None:
        """Mean reflective-listening level, or None before anyone answers."""
        if not self.answered:
            return None
        return sum(level * n for level, n in zip(LEVELS, self.level_counts, strict=True)) / (
            self.answered
        )

    def top_roadblocks(self, count: int = 3) -> tuple[tuple[str, int], ...]:
        """The `count` most common roadblocks."""
        return self.roadblocks[:count]

    @property
    def everyone_answered(self) -> bool:
        """Whether someone has joined and every trainee who joined has answered."""
        return self.joined > 0 and not self.not_answered


def answered_line(answered: int, joined: int) -> str:
    """How far the room is with a vignette, in words; never "everyone" before anyone joined."""
    if joined <= 0:
        return "Nobody has joined yet."
    if answered >= joined:
        return "Everyone has answered." if joined > 1 else "The one trainee has answered."
    if answered == 0:
        return f"Nobody has answered yet ({joined} joined)."
    return f"{answered} of {joined} have answered."


def latest_attempts(attempts: Iterable[A]) -> list[A]:
    """Each trainee's latest attempt at each vignette (highest id), in id order."""
    latest: dict[tuple[int, str], A] = {}
    for attempt in attempts:
        key = (attempt.trainee_id, attempt.vignette_id)
        if key not in latest or attempt.id > latest[key].id:
            latest[key] = attempt
    return sorted(latest.values(), key=lambda a: a.id)


def room_summary(
    vignette_id: str, attempts: Iterable[Attempt], trainees: Iterable[Trainee]
) -> RoomSummary:
    """Summarise the room's latest answers to one vignette.

    `attempts` are the workshop's attempts (others are ignored) and `trainees` the workshop's
    trainees. A response counts as a reflection when the scorer found one (any depth other
    than 'none') and as a question when it asks one, so a reflection followed by a question
    counts once for each, as MITI codes them.
    """
    latest = latest_attempts(a for a in attempts if a.vignette_id == vignette_id)
    assessments = [a.assessment for a in latest]
    levels = Counter(a.hrq_level for a in assessments)
    blocks = Counter(r for a in assessments for r in a.roadblock_ids)
    order = {r: i for i, r in enumerate(ROADBLOCK_IDS)}
    roadblocks = tuple(
        sorted(blocks.items(), key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]))
    )
    reflections = sum(1 for a in assessments if a.reflection_depth not in ("none", ""))
    complex_reflections = sum(1 for a in assessments if a.reflection_depth == "complex")
    questions = sum(1 for a in assessments if a.question_type is not None)
    # No questions: a room that only reflects has an unbounded ratio; an empty one has none.
    ratio = reflections / questions if questions else (math.inf if reflections else None)
    share = complex_reflections / reflections if reflections else None
    answered_by = {a.trainee_id for a in latest}
    counts = tuple(levels.get(level, 0) for level in LEVELS)
    trainee_list = sorted(trainees, key=lambda t: t.id)
    return RoomSummary(
        vignette_id=vignette_id,
        answered=len(answered_by),
        level_counts=(counts[0], counts[1], counts[2], counts[3], counts[4]),
        roadblocks=roadblocks,
        reflections=reflections,
        complex_reflections=complex_reflections,
        questions=questions,
        reflection_to_question=judge(ratio, fair=RQ_FAIR, good=RQ_GOOD),
        complex_share=judge(share, fair=CR_FAIR, good=CR_GOOD),
        not_answered=tuple(t.display_name for t in trainee_list if t.id not in answered_by),
        joined=len({t.id for t in trainee_list} | answered_by),
    )


def room_summaries(
    vignette_ids: Sequence[str], attempts: Iterable[Attempt], trainees: Iterable[Trainee]
) -> list[RoomSummary]:
    """`room_summary` for each vignette, in the order given."""
    attempt_list = list(attempts)
    trainee_list = list(trainees)
    return [room_summary(v, attempt_list, trainee_list) for v in vignette_ids]


def level_chart(summary: RoomSummary, title: str = "") -> bytes:
    """PNG bar chart of how many trainees reached each level (no browser scripts)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(5.2, 2.6), dpi=100, layout="constrained")
    axis = figure.subplots()
    bars = axis.bar([str(level) for level in LEVELS], summary.level_counts, color=LEVEL_COLOURS)
    axis.bar_label(bars, labels=[str(n) if n else "" for n in summary.level_counts])
    axis.set_xlabel("reflective-listening level")
    axis.set_ylabel("trainees")
    axis.set_ylim(0, max(1, *summary.level_counts) * 1.2)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.spines[["top", "right"]].set_visible(False)
    if title:
        axis.set_title(title, fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
