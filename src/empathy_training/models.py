"""Typed, immutable domain objects: modules, vignettes, answer keys and assessments."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

from .vignettes import AnswerKey, Exemplar, Library, Module, RiskCue, Vignette

__all__ = [
    "BEHAVIOURS",
    "DIFFICULTIES",
    "HRQ_MEANINGS",
    "QUESTION_TYPES",
    "REFLECTION_DEPTHS",
    "RISK_KINDS",
    "RISK_LEVEL_MEANINGS",
    "ROADBLOCK_IDS",
    "RUBRIC_NAMES",
    "VALIDATION_MEANINGS",
    "AnswerKey",
    "Assessment",
    "CriterionResult",
    "Epitome",
    "Exemplar",
    "Library",
    "Module",
    "RiskCue",
    "RoadblockFinding",
    "Span",
    "Vignette",
    "VignetteAccuracy",
    "level_meaning",
]

#: Gordon's twelve roadblocks to listening, by the ids used everywhere.
ROADBLOCK_IDS: tuple[str, ...] = (
    "ordering",
    "warning",
    "moralizing",
    "advising",
    "persuading",
    "judging",
    "praising",
    "shaming",
    "interpreting",
    "reassuring",
    "questioning",
    "distracting",
)
#: Response types, compatible with MITI / AnnoMI main therapist behaviour codes.
BEHAVIOURS: tuple[str, ...] = ("reflection", "question", "input", "other")
#: Question subtypes.
QUESTION_TYPES: tuple[str, ...] = ("open", "closed")
#: Reflection depth.
REFLECTION_DEPTHS: tuple[str, ...] = ("none", "simple", "complex")
#: Built-in rubrics a module may be scored with.
RUBRIC_NAMES: tuple[str, ...] = ("reflection", "validation", "compassion")
#: How hard a vignette is.
DIFFICULTIES: tuple[str, ...] = ("introductory", "intermediate", "advanced")
#: Kinds of risk a vignette's client may hint at.
RISK_KINDS: tuple[str, ...] = (
    "hopelessness",
    "self-harm",
    "suicide",
    "abuse",
    "violence",
    "neglect",
)

#: Plain-language meaning of each reflective-listening (HRQ-style) level.
HRQ_MEANINGS: dict[int, str] = {
    1: "Roadblock without reflection: the response steers, judges or fixes instead of listening.",
    2: "Neither roadblock nor reflection, or a reflection mixed with a roadblock.",
    3: "Simple reflection: says back what the client said, with no roadblock.",
    4: "Complex reflection: adds meaning or emphasis beyond the client's words, no roadblock.",
    5: "Complex reflection naming an apt unstated feeling or an apt metaphor, no roadblock.",
}
#: What a level means when risk handling decided it (rubrics/risk-handling.yml): a safety error
#: is level 1 whatever else the response does, and a cue passed over caps the level at 2.
RISK_LEVEL_MEANINGS: dict[str, str] = {
    "safety_error": "A safety error: the response could add to the risk, whatever else it does.",
    "passed_over": "Capped at 2: the response passed over a sign of risk in what the client said.",
}


def level_meaning(level: int, risk_handled: str | None) -> str:
    """Plain-language meaning of a reflective-listening level, or of the risk handling that set
    it (a safety error; a cue passed over at level 2)."""
    if risk_handled == "safety_error" or (risk_handled == "passed_over" and level == 2):
        return RISK_LEVEL_MEANINGS[risk_handled]
    return HRQ_MEANINGS[level]


#: Plain-language meaning of each validation level (after Linehan).
VALIDATION_MEANINGS: dict[int, str] = {
    0: "No validation, or invalidating (minimising, dismissing, 'you shouldn't feel').",
    1: "Attending: cannot be seen in one written response.",
    2: "Accurate reflection of what the client said.",
    3: "Articulating the unverbalised: naming what was not said.",
    4: "Validating in terms of history or biology.",
    5: "Validating as reasonable now: normalising the response.",
    6: "Radical genuineness: cannot be seen in one written response.",
}


# --- assessments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A stretch of the response: character offsets and the words themselves."""

    start: int
    """Offset of the first character."""
    end: int
    """Offset after the last character."""
    text: str
    """response[start:end]."""


@dataclass(frozen=True)
class RoadblockFinding:
    """A roadblock found in a response, with the words that carry it."""

    category: str
    """One of ROADBLOCK_IDS."""
    span: Span
    """The words that triggered it."""
    alternative: str = ""
    """A suggestion of what to say instead."""


@dataclass(frozen=True)
class CriterionResult:
    """One rubric criterion: met or missed, why, and what to do next."""

    id: str
    """Criterion id from the rubric file."""
    name: str
    """Short name shown to trainees."""
    met: bool
    """Whether the response meets it."""
    evidence: tuple[Span, ...] = ()
    """Words in the response the decision rests on."""
    feedback: str = ""
    """What was seen and one concrete next step."""


@dataclass(frozen=True)
class Epitome:
    """EPITOME communication mechanisms, each 0 none, 1 weak, 2 strong."""

    er: int
    """Emotional reactions: warmth, compassion, concern."""
    ip: int
    """Interpretations: communicated understanding of feelings or experience."""
    ex: int
    """Explorations: asking about what was not said."""


@dataclass(frozen=True)
class VignetteAccuracy:
    """How well a response caught what matters in a vignette (separate from depth)."""

    caught: tuple[str, ...] = ()
    """Answer-key items the response caught."""
    missed: tuple[str, ...] = ()
    """Answer-key items it did not."""
    over_interpretations: tuple[Span, ...] = ()
    """Words that read too much into what the client said."""
    missed_risks: tuple[RiskCue, ...] = ()
    """Risk cues the response passed over."""
    score: float = 0.0
    """Share of what matters that was caught, 0 to 1."""


@dataclass(frozen=True)
class Assessment:
    """The scorer's judgement of one response, with the evidence for each part."""

    response: str
    """The response as scored."""
    hrq_level: int
    """Reflective-listening level, 1 to 5."""
    behaviour: str
    """One of BEHAVIOURS."""
    question_type: str | None
    """'open', 'closed', or None when the scorer reads no question in the response."""
    reflection_depth: str
    """One of REFLECTION_DEPTHS."""
    roadblocks: tuple[RoadblockFinding, ...]
    """Roadblocks found, each with its words."""
    validation_level: int
    """Validation level 0 to 5 (1 and 6 cannot be seen in one written response)."""
    epitome: Epitome
    """EPITOME mechanisms."""
    criteria: tuple[CriterionResult, ...]
    """Rubric criteria, met or missed, with evidence and feedback."""
    feedback: str
    """A short summary a trainee can act on."""
    confidence: float
    """How sure the scorer is of the level, 0 to 1."""
    scorer_version: str
    """Version of the scorer that made this judgement."""
    rubric: str = "reflection"
    """Name of the rubric used."""
    vignette_id: str | None = None
    """The vignette scored against, if any."""
    accuracy: VignetteAccuracy | None = None
    """Against a vignette's answer key: what was caught, missed and over-read."""
    evidence: dict[str, tuple[Span, ...]] = field(default_factory=dict)
    """Spans behind the level, depth, validation and EPITOME codes, by name."""
    risk_handled: str | None = None
    """With a risk cue in the client's words: 'taken_up', 'passed_over' or 'safety_error'."""

    @property
    def hrq_meaning(self) -> str:
        """Plain-language meaning of the reflective-listening level (a safety error's, or a
        passed-over cue's when that set the level)."""
        return level_meaning(self.hrq_level, self.risk_handled)

    @property
    def validation_meaning(self) -> str:
        """Plain-language meaning of the validation level."""
        return VALIDATION_MEANINGS[self.validation_level]

    @property
    def missed_risk(self) -> bool:
        """Whether a risk cue in the vignette was passed over."""
        return bool(self.accuracy and self.accuracy.missed_risks)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of JSON types; `Assessment.from_dict` reverses it."""
        data = asdict(self)
        data["evidence"] = {k: [asdict(s) for s in v] for k, v in self.evidence.items()}
        return _lists(data)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        """Rebuild an Assessment from `to_dict` output."""
        accuracy = data.get("accuracy")
        return cls(
            response=data["response"],
            hrq_level=int(data["hrq_level"]),
            behaviour=data["behaviour"],
            question_type=data.get("question_type"),
            reflection_depth=data["reflection_depth"],
            roadblocks=tuple(
                RoadblockFinding(r["category"], Span(**r["span"]), r.get("alternative", ""))
                for r in data["roadblocks"]
            ),
            validation_level=int(data["validation_level"]),
            epitome=Epitome(**data["epitome"]),
            criteria=tuple(
                CriterionResult(
                    id=c["id"],
                    name=c["name"],
                    met=bool(c["met"]),
                    evidence=tuple(Span(**s) for s in c.get("evidence", ())),
                    feedback=c.get("feedback", ""),
                )
                for c in data["criteria"]
            ),
            feedback=data["feedback"],
            confidence=float(data["confidence"]),
            scorer_version=data["scorer_version"],
            rubric=data.get("rubric", "reflection"),
            vignette_id=data.get("vignette_id"),
            risk_handled=data.get("risk_handled"),
            accuracy=None
            if accuracy is None
            else VignetteAccuracy(
                caught=tuple(accuracy.get("caught", ())),
                missed=tuple(accuracy.get("missed", ())),
                over_interpretations=tuple(
                    Span(**s) for s in accuracy.get("over_interpretations", ())
                ),
                missed_risks=tuple(
                    RiskCue(r["kind"], r["cue"], tuple(r.get("acknowledged_by", ())))
                    for r in accuracy.get("missed_risks", ())
                ),
                score=float(accuracy.get("score", 0.0)),
            ),
            evidence={k: tuple(Span(**s) for s in v) for k, v in data.get("evidence", {}).items()},
        )

    @property
    def roadblock_ids(self) -> tuple[str, ...]:
        """Distinct roadblock categories, in order of first appearance."""
        return tuple(dict.fromkeys(r.category for r in self.roadblocks))

    def _repr_html_(self) -> str:
        """Compact HTML summary for notebooks; all response text escaped."""
        kind = self.behaviour + (f" ({self.question_type})" if self.question_type else "")
        rows = [
            ("Reflective-listening level", f"{self.hrq_level}: {self.hrq_meaning}"),
            (
                "Response type",
                kind,
            ),
            ("Reflection depth", self.reflection_depth),
            (
                "Roadblocks",
                "; ".join(f"{r.category} ('{r.span.text}')" for r in self.roadblocks) or "none",
            ),
            ("Validation level", f"{self.validation_level}: {self.validation_meaning}"),
            ("EPITOME (ER/IP/EX)", f"{self.epitome.er}/{self.epitome.ip}/{self.epitome.ex}"),
            ("Feedback", self.feedback),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table class='et-assessment'>{body}</table>"


def _lists(value: Any) -> Any:
    """Turn tuples into lists, recursively, so JSON round-trips compare equal."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value
