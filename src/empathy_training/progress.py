"""A trainee's progress: attempts as a table, and charts as PNG bytes (no browser scripts)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from .models import Assessment, Library

#: Columns of the progress table.
COLUMNS = (
    "time",
    "module_id",
    "module",
    "vignette_id",
    "hrq_level",
    "reflection_depth",
    "roadblocks",
)


@dataclass(frozen=True)
class AttemptSummary:
    """What progress needs to know about one attempt."""

    time: datetime
    """When it was submitted."""
    module_id: str
    """The module practised."""
    vignette_id: str
    """The vignette answered."""
    assessment: Assessment
    """The scorer's judgement."""


def progress_table(
    attempts: Iterable[AttemptSummary], library: Library | None = None
) -> pd.DataFrame:
    """One row per attempt, oldest first."""
    titles = {m.id: m.title for m in library.modules} if library else {}
    rows = [
        {
            "time": a.time,
            "module_id": a.module_id,
            "module": titles.get(a.module_id, a.module_id),
            "vignette_id": a.vignette_id,
            "hrq_level": a.assessment.hrq_level,
            "reflection_depth": a.assessment.reflection_depth,
            "roadblocks": ";".join(a.assessment.roadblock_ids),
        }
        for a in attempts
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.sort_values("time", kind="stable").reset_index(drop=True)


def summary_line(table: pd.DataFrame) -> str:
    """One sentence: how many attempts, vignettes and the latest level."""
    if table.empty:
        return "No attempts yet: answer a vignette and your progress appears here."
    vignettes = table["vignette_id"].nunique()
    latest = int(table["hrq_level"].iloc[-1])
    best = int(table["hrq_level"].max())
    return (
        f"{len(table)} attempt{'s' if len(table) != 1 else ''} on {vignettes} "
        f"vignette{'s' if vignettes != 1 else ''}; latest level {latest}, best {best}."
    )


def roadblock_counts(table: pd.DataFrame) -> pd.Series:
    """How often each roadblock appeared, most frequent first."""
    ids = [r for cell in table["roadblocks"] for r in str(cell).split(";") if r]
    return pd.Series(ids, dtype="object").value_counts()


def progress_chart(table: pd.DataFrame) -> bytes:
    """PNG with three panels: level per attempt, mean level by module, roadblocks most used."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 3.4), dpi=100, layout="constrained")
    over_time, by_module, roadblocks = figure.subplots(1, 3)
    if table.empty:
        for axis in (over_time, by_module, roadblocks):
            axis.set_axis_off()
        over_time.text(0, 0.5, "No attempts yet", fontsize=14)
    else:
        attempt_no = range(1, len(table) + 1)
        over_time.plot(attempt_no, table["hrq_level"], marker="o", color="#3b6e8f")
        over_time.set_xlim(0.5, len(table) + 0.5)
        over_time.xaxis.get_major_locator().set_params(integer=True)
        over_time.set_ylim(0.5, 5.5)
        over_time.set_yticks([1, 2, 3, 4, 5])
        over_time.set_xlabel("attempt")
        over_time.set_ylabel("level")
        over_time.set_title("Level per attempt")
        means = table.groupby("module")["hrq_level"].mean().sort_values()
        by_module.barh([_short(m) for m in means.index], means.values, height=0.6, color="#2f7d4f")
        by_module.set_ylim(-0.7, max(len(means), 3) - 0.3)
        by_module.set_xlim(0, 5)
        by_module.set_title("Mean level by module")
        counts = roadblock_counts(table).head(6)
        if counts.empty:
            roadblocks.text(0.05, 0.5, "No roadblocks so far", fontsize=12)
            roadblocks.set_axis_off()
        else:
            roadblocks.barh(
                list(counts.index)[::-1], list(counts.values)[::-1], height=0.6, color="#a8322d"
            )
            roadblocks.set_ylim(-0.7, max(len(counts), 3) - 0.3)
            roadblocks.set_title("Roadblocks used most")
            roadblocks.xaxis.get_major_locator().set_params(integer=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short(text: str, width: int = 22) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
