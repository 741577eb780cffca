"""A workshop room at a glance: per-vignette summaries against MITI thresholds, and exports."""

from __future__ import annotations

import hashlib
import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import pandas as pd

from .grading import CONTRACT_COLUMNS, row_values
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
#: Columns of `export_table`, in order.
EXPORT_COLUMNS = (
    "attempt_id",
    "time",
    "workshop",
    "trainee",
    "module_id",
    "vignette_id",
    "response",
    *CONTRACT_COLUMNS,
    "scorer_version",
)
#: Free-text columns: untrusted, so guarded against spreadsheet formulas in CSV exports.
TEXT_COLUMNS = ("workshop", "trainee", "response", "feedback")
# A spreadsheet reads a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        not_answered=tuple(
            t.display_name for t in sorted(trainees, key=lambda t: t.id) if t.id not in answered_by
        ),
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


# --- exports -----------------------------------------------------------------------------


def pseudonyms(attempts: Iterable[Attempt]) -> dict[int, str]:
    """A stable pseudonym per trainee id: 'Trainee 01', '02', ... in order of first attempt."""
    first: dict[int, int] = {}
    for attempt in attempts:
        if attempt.trainee_id not in first or attempt.id < first[attempt.trainee_id]:
            first[attempt.trainee_id] = attempt.id
    ordered = sorted(first, key=lambda trainee_id: first[trainee_id])
    width = max(2, len(str(len(ordered))))
    return {trainee_id: f"Trainee {n:0{width}d}" for n, trainee_id in enumerate(ordered, 1)}


def export_table(
    attempts: Iterable[Attempt],
    trainees: Iterable[Trainee],
    *,
    pseudonymise: bool,
    workshops: Iterable[Workshop] = (),
) -> pd.DataFrame:
    """Every attempt with its assessment's contract columns, one row each, in id order.

    With `pseudonymise`, trainee names are replaced by `pseudonyms`; the responses are kept
    as written (a trainee may still have typed a name into one). Times are UTC.
    """
    attempt_list = sorted(attempts, key=lambda a: a.id)
    names = pseudonyms(attempt_list) if pseudonymise else {t.id: t.display_name for t in trainees}
    workshop_names = {w.id: w.name for w in workshops}
    rows: list[dict[str, Any]] = []
    for attempt in attempt_list:
        a = attempt.assessment
        rows.append(
            {
                "attempt_id": attempt.id,
                "time": attempt.created_at.astimezone(UTC),
                "workshop": ""
                if attempt.workshop_id is None
                else workshop_names.get(attempt.workshop_id, str(attempt.workshop_id)),
                "trainee": names.get(attempt.trainee_id, f"trainee #{attempt.trainee_id}"),
                "module_id": attempt.module_id,
                "vignette_id": attempt.vignette_id,
                "response": attempt.response,
                **row_values(a),
                "scorer_version": a.scorer_version,
            }
        )
    table = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    table["time"] = pd.to_datetime(table["time"], utc=True)
    return table


def to_csv_bytes(table: pd.DataFrame, *, formula_safe: bool = True) -> bytes:
    """The table as UTF-8 CSV.

    With `formula_safe`, a free-text cell that a spreadsheet would run as a formula (it
    starts with =, +, -, @, tab or carriage return) gets a leading apostrophe.
    """
    out = table.copy()
    if formula_safe:
        for column in TEXT_COLUMNS:
            if column in out.columns:
                out[column] = out[column].map(_defuse)
    return out.to_csv(index=False).encode("utf-8")


def to_xlsx_bytes(table: pd.DataFrame, *, sheet_name: str = "attempts") -> bytes:
    """The table as an Excel workbook; text is stored as text, never as a formula.

    Times are written in UTC without a zone (Excel has none); characters Excel cannot
    store (control characters) are dropped.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in table.columns])
    for record in table.itertuples(index=False, name=None):
        row: list[Any] = []
        for value in record:
            if isinstance(value, pd.Timestamp):
                value = value.tz_convert(UTC).tz_localize(None).to_pydatetime()
            elif isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            elif value is None or (isinstance(value, float) and math.isnan(value)):
                value = None
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar -> Python
            row.append(value)
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a response starting with '=' stays text
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, 1):
        width = 60 if column in ("response", "feedback") else max(10, len(str(column)) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


# --- projector ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnonymisedResponse:
    """A response as the room sees it on the projector: no name, no submission order."""

    attempt_id: int
    """Which attempt it is, for the supervisor's choice; never shown."""
    text: str
    """The response."""
    hrq_level: int
    """Its reflective-listening level."""


def anonymised(attempts: Iterable[Attempt], *, seed: str = "") -> list[AnonymisedResponse]:
    """The responses without names, in an order that hides who answered first.

    The order is fixed by `seed` and each attempt's id, so a response keeps its place
    relative to the others when new ones arrive.
    """

    def place(attempt: Attempt) -> str:
        return hashlib.sha256(f"{seed}:{attempt.id}".encode()).hexdigest()

    return [
        AnonymisedResponse(a.id, a.response, a.assessment.hrq_level)
        for a in sorted(attempts, key=place)
    ]
