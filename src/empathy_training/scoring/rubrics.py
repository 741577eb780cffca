"""Rubrics: settings, and criteria in priority order with their wording, from the rubric files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..models import RUBRIC_NAMES
from .criteria import DETECTORS
from .data_files import lexicon


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of a rubric file."""

    id: str
    """Criterion id."""
    name: str
    """Short name shown to trainees."""
    detector: str
    """Name of the detector that decides it (a key of DETECTORS)."""
    params: Mapping[str, Any]
    """Detector parameters."""
    met: str
    """Feedback when met."""
    missed: str
    """Feedback when missed, with a concrete next step."""
    needs_vignette: bool = False
    """Only checked against a vignette's answer key."""
    variants: Mapping[str, str] = field(default_factory=dict)
    """Other feedback a detector can ask for by name (e.g. `off_topic`), `met_plain` /
    `missed_plain`: the wording used when there are no words to quote as evidence, and
    `missed_no_feeling`: the wording used when there is no feeling to suggest."""

    def template(
        self, met: bool, variant: str = "", *, evidence: bool = True, feeling: bool = True
    ) -> str:
        """The feedback wording for a decision: the variant asked for, else met or missed; the
        plain form when there is no evidence to quote; the `_no_feeling` form when there is no
        feeling to suggest (`feeling` false)."""
        key = variant if variant in self.variants else ("met" if met else "missed")
        if not feeling and f"{key}_no_feeling" in self.variants:
            key = f"{key}_no_feeling"
        if not evidence:
            plain = self.variants.get(f"{key}_plain")
            if plain is not None:
                return plain
        if key == "met":
            return self.met
        return self.missed if key == "missed" else self.variants[key]


@dataclass(frozen=True)
class Rubric:
    """A rubric: settings, criteria in priority order, and summary wording."""

    id: str
    """Rubric name."""
    title: str
    """Title shown to trainees."""
    description: str
    """What the rubric looks for."""
    questions_are_roadblocks: bool
    """Gordon's view (every question is a roadblock) rather than MITI's."""
    interrogating_run: int
    """This many questions in a row, with no reflection, count as questioning."""
    criteria: tuple[CriterionSpec, ...]
    """Criteria, most important first."""
    summary: Mapping[str, str]
    """Wording of the summary feedback."""


@cache
def load_rubric(name: str) -> Rubric:
    """Load a built-in rubric by name; ValueError names the known ones."""
    if name not in RUBRIC_NAMES:
        raise ValueError(f"unknown rubric {name!r}; known rubrics: {', '.join(RUBRIC_NAMES)}")
    data = lexicon(name)
    where = f"rubrics/{name}.yml"
    settings = data.get("settings") or {}
    criteria = []
    for i, item in enumerate(data.get("criteria") or ()):
        detector = str(item.get("detector", ""))
        if detector not in DETECTORS:
            raise ValueError(f"{where}: criteria[{i}].detector: unknown detector {detector!r}")
        feedback = {
            str(k): " ".join(str(v).split()) for k, v in (item.get("feedback") or {}).items()
        }
        variants = {k: v for k, v in feedback.items() if k not in ("met", "missed")}
        for key in [k for k in ("met", "missed", *variants) if not k.endswith("_plain")]:
            if EVIDENCE in feedback.get(key, "") and f"{key}_plain" not in variants:
                variants[f"{key}_plain"] = _without_evidence(feedback[key])
        criteria.append(
            CriterionSpec(
                id=str(item["id"]),
                name=str(item["name"]),
                detector=detector,
                params=dict(item.get("params") or {}),
                met=feedback.get("met", ""),
                missed=feedback.get("missed", ""),
                needs_vignette=bool(item.get("needs_vignette", False)),
                variants=variants,
            )
        )
    return Rubric(
        id=str(data.get("id", name)),
        title=str(data.get("title", name)),
        description=str(data.get("description", "")).strip(),
        questions_are_roadblocks=bool(settings.get("questions_are_roadblocks", False)),
        interrogating_run=int(settings.get("interrogating_run", 3)),
        criteria=tuple(criteria),
        summary={str(k): str(v).strip() for k, v in (data.get("summary") or {}).items()},
    )


#: The placeholder for the words a criterion's decision rests on.
EVIDENCE = "{evidence}"
_QUOTED_EVIDENCE = re.compile(r"\s*\(\s*'?\{evidence\}'?\s*\)")
_EVIDENCE_SUBJECT = re.compile(r"'\{evidence\}'|\{evidence\}")


def _without_evidence(template: str) -> str:
    """Feedback wording for when there are no words to quote.

    "You named the feeling ('{evidence}')." -> "You named the feeling."; "'{evidence}' reads more
    into it" -> "Your response reads more into it".
    """
    plain = _QUOTED_EVIDENCE.sub("", template)

    def subject(m: re.Match[str]) -> str:
        before = plain[: m.start()].rstrip()
        opens = not before or before.endswith((".", "!", "?", ":"))
        return "Your response" if opens else "your response"

    return _EVIDENCE_SUBJECT.sub(subject, plain)
