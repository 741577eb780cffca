"""One moment of the open workshop: what every part of the dashboard draws from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ...models import Library
from ...storage import TraineeRecord, WorkshopRecord
from ...workshop import RoomSummary, Submission, room_summaries


@dataclass(frozen=True)
class Room:
    """The open workshop with its trainees, every submission so far, and the summaries."""

    workshop: WorkshopRecord
    """The workshop as last read."""
    trainees: tuple[TraineeRecord, ...]
    """Trainees who joined, in joining order."""
    submissions: tuple[Submission, ...]
    """Every attempt in the workshop, oldest first."""
    summaries: tuple[RoomSummary, ...] = field(default=())
    """One per vignette of the workshop, in its order."""

    @classmethod
    def of(
        cls,
        workshop: WorkshopRecord,
        trainees: Sequence[TraineeRecord],
        submissions: Sequence[Submission],
    ) -> Room:
        """The room with its summaries worked out."""
        summaries = room_summaries(workshop.vignette_ids, submissions, trainees)
        return cls(workshop, tuple(trainees), tuple(submissions), tuple(summaries))

    def summary(self, vignette_id: str | None) -> RoomSummary | None:
        """The summary of one of the workshop's vignettes, or None."""
        for summary in self.summaries:
            if summary.vignette_id == vignette_id:
                return summary
        return None

    def names(self) -> dict[int, str]:
        """Display name by trainee id."""
        return {t.id: t.display_name for t in self.trainees}


def title_of(library: Library, vignette_id: str) -> str:
    """The vignette's title, or its id when the library no longer has it."""
    try:
        return library.vignette(vignette_id).title
    except KeyError:
        return vignette_id
