"""Choosing what a trainee practises next, from what they have done so far."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .models import Assessment, Library, Vignette


@dataclass(frozen=True)
class Suggestion:
    """The vignette to practise next, and why."""

    vignette: Vignette
    """The vignette chosen."""
    reason: str
    """One sentence a trainee can read."""
    criterion: str | None = None
    """The weakest criterion it targets, if there was one."""


@cache
def practice_targets() -> dict[str, tuple[str, ...]]:
    """The shipped map from criterion ids to the modules that practise them."""
    text = resources.files("empathy_training").joinpath("data/practice-targets.yml").read_text()
    data = yaml.safe_load(text) or {}
    return {str(k): tuple(str(m) for m in v) for k, v in data.items()}


def weakest_criterion(assessments: Sequence[Assessment]) -> tuple[str, str] | None:
    """The (id, name) of the criterion missed most often, or None if nothing was missed."""
    missed: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    names: dict[str, str] = {}
    for assessment in assessments:
        for criterion in assessment.criteria:
            seen[criterion.id] += 1
            names[criterion.id] = criterion.name
            if not criterion.met:
                missed[criterion.id] += 1
    if not missed:
        return None
    best = max(missed, key=lambda c: (missed[c] / seen[c], missed[c], c))
    return best, names[best]


def choose_next(
    library: Library,
    history: Sequence[tuple[str, Assessment]],
    *,
    current: str | None = None,
    targets: Mapping[str, Sequence[str]] | None = None,
) -> Suggestion:
    """Pick a vignette that targets the trainee's weakest criterion.

    `history` holds (vignette id, assessment) pairs, oldest first; `targets` maps criterion
    ids to the module ids that practise them. Among the candidate vignettes, one the trainee
    has not tried comes first, then the one tried least and longest ago.
    """
    if not library.vignettes:
        raise ValueError("the library has no vignettes")
    tries = Counter(vignette_id for vignette_id, _ in history)
    last_seen = {vignette_id: i for i, (vignette_id, _) in enumerate(history)}
    weakest = weakest_criterion([a for _, a in history[-20:]])
    modules: Sequence[str] = ()
    if weakest and targets:
        modules = targets.get(weakest[0], ())
    candidates = [v for v in library.vignettes if v.module_id in modules and v.id != current]
    if not candidates:
        candidates = [v for v in library.vignettes if v.id != current] or list(library.vignettes)

    def rank(v: Vignette) -> tuple[int, int, int]:
        return (tries[v.id], last_seen.get(v.id, -1), library.vignettes.index(v))

    choice = min(candidates, key=rank)
    if weakest and choice.module_id in modules:
        reason = f"Chosen to practise what you missed most recently: {weakest[1].lower()}."
        return Suggestion(choice, reason, weakest[0])
    if tries[choice.id] == 0:
        return Suggestion(choice, "A vignette you have not tried yet.")
    return Suggestion(choice, "The vignette you have practised least recently.")
