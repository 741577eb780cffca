"""What the projector shows the room: a vignette, how far the room is, chosen answers, no names."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .models import Exemplar, Vignette
from .workshop import Attempt, RoomSummary, answered_line, latest_attempts


class ProjectedWorkshop(Protocol):
    """What the projector reads from a workshop (`storage.WorkshopRecord` has it)."""

    @property
    def id(self) -> int:
        """Database id."""

    @property
    def name(self) -> str:
        """Name the supervisor gave it."""

    @property
    def join_code(self) -> str:
        """Code trainees type to join."""

    @property
    def closed(self) -> bool:
        """Whether the workshop has ended."""

    @property
    def exemplars_released(self) -> bool:
        """Whether the room may see the model responses."""


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


def candidates(
    workshop_id: int, vignette_id: str, attempts: Iterable[Attempt]
) -> list[AnonymisedResponse]:
    """Each trainee's latest response to the vignette, anonymised: the supervisor's choice."""
    latest = latest_attempts(a for a in attempts if a.vignette_id == vignette_id)
    return anonymised(latest, seed=f"{workshop_id}:{vignette_id}")


@dataclass(frozen=True)
class ProjectorSlide:
    """One screen for the room, in large type; nothing on it names a trainee."""

    workshop_name: str
    """The workshop's name."""
    join_code: str
    """The code trainees type to join."""
    join_url: str | None
    """Where trainees open the practice app, if known."""
    ended: bool
    """Whether the supervisor has ended the workshop."""
    vignette: Vignette | None
    """The vignette discussed, if one is chosen."""
    progress: str
    """How far the room is with it, e.g. "7 of 12 have answered."."""
    responses: tuple[str, ...]
    """The responses the supervisor chose, in their anonymised order."""
    exemplars: tuple[Exemplar, ...]
    """The model responses, best first, once released to the room; else empty."""
    joined: int
    """Trainees in the workshop."""

    @property
    def invites_joining(self) -> bool:
        """Whether the join code should fill the screen: a running workshop nobody has joined."""
        return not self.ended and self.joined == 0


def projector_slide(
    workshop: ProjectedWorkshop,
    vignette: Vignette | None,
    summary: RoomSummary | None,
    chosen: Sequence[AnonymisedResponse],
    *,
    join_url: str | None = None,
) -> ProjectorSlide:
    """The slide for this vignette with these chosen responses (`summary` is the vignette's)."""
    joined = summary.joined if summary is not None else 0
    answered = summary.answered if summary is not None else 0
    exemplars: tuple[Exemplar, ...] = ()
    if vignette is not None and workshop.exemplars_released:
        exemplars = tuple(sorted(vignette.exemplars, key=lambda e: -e.level))
    return ProjectorSlide(
        workshop_name=workshop.name,
        join_code=workshop.join_code,
        join_url=join_url,
        ended=workshop.closed,
        vignette=vignette,
        progress=answered_line(answered, joined),
        responses=tuple(r.text for r in chosen),
        exemplars=exemplars,
        joined=joined,
    )
