"""A trainee's progress: attempts in order, summaries by module, and charts as PNG bytes.

Plain Python on purpose: the trainee app's kernels stay small (no pandas); matplotlib is
imported only when a chart is drawn.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .models import Assessment, Library


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


@dataclass(frozen=True)
class ModuleProgress:
    """A trainee's attempts in one module."""

    module: str
    """Module title."""
    attempts: int
    """How many attempts."""
    mean_level: float
    """Mean reflective-listening level."""
    best_level: int
    """Best level reached."""


def in_order(attempts: Iterable[AttemptSummary]) -> list[AttemptSummary]:
    """Attempts oldest first."""
    return sorted(attempts, key=lambda a: a.time)


def summary_line(attempts: list[AttemptSummary]) -> str:
    """One sentence: how many attempts, vignettes and the latest level."""
    if not attempts:
        return "No attempts yet: answer a vignette and your progress appears here."
    vignettes = len({a.vignette_id for a in attempts})
    levels = [a.assessment.hrq_level for a in attempts]
    return (
        f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''} on {vignettes} "
        f"vignette{'s' if vignettes != 1 else ''}; latest level {levels[-1]}, best {max(levels)}."
    )


def by_module(
    attempts: list[AttemptSummary], library: Library | None = None
) -> list[ModuleProgress]:
    """Attempts, mean and best level per module, in library order."""
    titles = {m.id: m.title for m in library.modules} if library else {}
    order = {m.id: i for i, m in enumerate(library.modules)} if library else {}
    levels: dict[str, list[int]] = {}
    for a in attempts:
        levels.setdefault(a.module_id, []).append(a.assessment.hrq_level)
    return [
        ModuleProgress(titles.get(m, m), len(v), sum(v) / len(v), max(v))
        for m, v in sorted(levels.items(), key=lambda item: (order.get(item[0], 999), item[0]))
    ]


def roadblock_counts(attempts: list[AttemptSummary]) -> list[tuple[str, int]]:
    """How often each roadblock appeared, most frequent first."""
    counts = Counter(r for a in attempts for r in a.assessment.roadblock_ids)
    return counts.most_common()


def progress_charts(
    attempts: list[AttemptSummary], library: Library | None = None
) -> tuple[bytes, bytes, bytes]:
    """Three PNG charts, each readable on a phone: level per attempt, mean level by module,
    and the roadblocks used most. Side by side on a wide screen, one under another on a phone.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figures = [Figure(figsize=(4.2, 3.2), dpi=100, layout="constrained") for _ in range(3)]
    over_time, modules, roadblocks = (f.subplots() for f in figures)
    if not attempts:
        for axis in (over_time, modules, roadblocks):
            axis.set_axis_off()
        over_time.text(0, 0.5, "No attempts yet", fontsize=14)
    else:
        levels = [a.assessment.hrq_level for a in attempts]
        over_time.plot(range(1, len(levels) + 1), levels, marker="o", color="#3b6e8f")
        over_time.set_xlim(0.5, len(levels) + 0.5)
        if len(levels) <= 12:
            over_time.set_xticks(range(1, len(levels) + 1))
        else:
            over_time.xaxis.set_major_locator(MaxNLocator(integer=True))
        over_time.set_ylim(0.5, 5.5)
        over_time.set_yticks([1, 2, 3, 4, 5])
        over_time.set_xlabel("attempt")
        over_time.set_ylabel("level")
        over_time.set_title("Level per attempt")
        rows = by_module(attempts, library)[::-1]
        modules.barh(
            [_label(r.module) for r in rows],
            [r.mean_level for r in rows],
            height=0.6,
            color="#2f7d4f",
        )
        modules.set_ylim(-0.7, max(len(rows), 3) - 0.3)
        modules.set_xlim(0, 5)
        modules.set_xticks([0, 1, 2, 3, 4, 5])
        modules.set_title("Mean level by module")
        counts = roadblock_counts(attempts)[:6][::-1]
        if not counts:
            roadblocks.text(0.05, 0.5, "No roadblocks so far", fontsize=12)
            roadblocks.set_axis_off()
        else:
            roadblocks.barh(
                [_label(c[0]) for c in counts],
                [c[1] for c in counts],
                height=0.6,
                color="#a8322d",
            )
            roadblocks.set_ylim(-0.7, max(len(counts), 3) - 0.3)
            roadblocks.set_title("Roadblocks used most")
            roadblocks.xaxis.set_major_locator(MaxNLocator(integer=True))
    pngs = []
    for figure in figures:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pngs.append(buffer.getvalue())
    return pngs[0], pngs[1], pngs[2]


def _label(text: str, width: int = 18) -> str:
    """A bar's label on at most two short lines."""
    import textwrap

    lines = textwrap.wrap(text, width) or [""]
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")
