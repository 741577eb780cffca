"""Which vignettes a workshop runs (whole modules, a short list) and starting it again by name."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from .errors import InputError
from .models import Library


class PlannedWorkshop(Protocol):
    """What starting a workshop reads from one (`storage.WorkshopRecord` has it)."""

    @property
    def id(self) -> int:
        """Database id."""

    @property
    def vignette_ids(self) -> tuple[str, ...]:
        """Vignettes, in the order trainees meet them."""


W = TypeVar("W", bound=PlannedWorkshop)
W_co = TypeVar("W_co", bound=PlannedWorkshop, covariant=True)


class WorkshopStore(Protocol[W_co]):
    """The store's workshop methods that starting a workshop uses (`storage.Store` has them)."""

    def open_workshop_named(self, name: str) -> W_co | None:
        """The newest workshop with this name that has not ended."""

    def create_workshop(
        self, name: str, vignette_ids: Sequence[str], seconds_per_vignette: int | None = None
    ) -> W_co:
        """A new workshop with a new join code."""

    def set_workshop_vignettes(self, workshop_id: int, vignette_ids: Sequence[str]) -> W_co:
        """The workshop with its vignettes changed."""


def split_ids(text: str) -> tuple[str, ...]:
    """Ids typed as a list: 'a, b c' -> ('a', 'b', 'c')."""
    return tuple(part for part in re.split(r"[\s,;]+", text) if part)


def choose_vignettes(
    library: Library, *, module_ids: Sequence[str] = (), vignette_ids: Sequence[str] = ()
) -> tuple[str, ...]:
    """The modules' vignettes, then the listed ones, each once, in that order.

    With neither, the first module's vignettes: a workshop never gets the whole library by
    default. An unknown id raises InputError naming it (and the nearest known id).
    """
    modules = {m.id: m for m in library.modules}
    known = {v.id for v in library.vignettes}
    for module_id in module_ids:
        if module_id not in modules:
            raise InputError(_unknown("module", module_id, list(modules)))
    for vignette_id in vignette_ids:
        if vignette_id not in known:
            raise InputError(_unknown("vignette", vignette_id, sorted(known)))
    if not module_ids and not vignette_ids:
        if not library.modules:
            raise InputError("The scenario library has no modules to choose vignettes from.")
        module_ids = (library.modules[0].id,)
    chosen = [v.id for m in module_ids for v in modules[m].vignettes]
    chosen.extend(vignette_ids)
    result = tuple(dict.fromkeys(chosen))
    if not result:
        raise InputError("The chosen modules have no vignettes.")
    return result


def _unknown(kind: str, given: str, known: Sequence[str]) -> str:
    near = difflib.get_close_matches(given, known, n=1)
    hint = f" Did you mean '{near[0]}'?" if near else ""
    return (
        f"Unknown {kind} id '{given}'.{hint} `empathy-training list` shows the modules and "
        "vignettes with their ids."
    )


@dataclass(frozen=True)
class StartedWorkshop(Generic[W]):
    """A workshop started by name: created, or the open one of that name reopened."""

    workshop: W
    """The workshop, as stored now."""
    reopened: bool
    """Whether it was open already (same join code, its attempts kept)."""
    vignettes_changed: bool
    """Whether reopening gave it the vignettes asked for in place of its own."""


def start_workshop(
    store: WorkshopStore[W],
    name: str,
    library: Library,
    *,
    module_ids: Sequence[str] = (),
    vignette_ids: Sequence[str] = (),
) -> StartedWorkshop[W]:
    """Reopen the open workshop called `name`, or create it.

    Reopening keeps the join code and every attempt; its vignettes change only when modules
    or vignettes are asked for. A new workshop gets `choose_vignettes` (the first module by
    default). Ids are checked before anything is stored.
    """
    asked = bool(module_ids or vignette_ids)
    chosen = choose_vignettes(library, module_ids=module_ids, vignette_ids=vignette_ids)
    existing = store.open_workshop_named(name)
    if existing is None:
        return StartedWorkshop(store.create_workshop(name, chosen), False, False)
    if asked and tuple(existing.vignette_ids) != chosen:
        changed = store.set_workshop_vignettes(existing.id, chosen)
        return StartedWorkshop(changed, True, True)
    return StartedWorkshop(existing, True, False)
