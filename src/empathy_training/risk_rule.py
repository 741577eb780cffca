"""The clinical rule for risk cues, read from `rubrics/risk-handling.yml` into dataclasses."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import ScenarioError, ScenarioErrors
from .models import RISK_KINDS
from .provenance import Source, SourceReader, load_sources
from .yaml_fields import Field, Problems, compose, decode, labelled

#: "The client said '{cue}'" and what joins it to the rest of its sentence, in a message.
_QUOTED_CUE = re.compile(r"The client said\s+'\{cue\}'(?:\.\s+|,\s+and\s+)(\w)")

__all__ = [
    "PLACEHOLDERS",
    "RISK_OUTCOMES",
    "STRENGTHS",
    "KindGuidance",
    "RiskOutcome",
    "RiskRule",
    "SafetyErrorCategory",
    "TakeUpWay",
    "load_risk_rule",
    "read_risk_rule",
]

#: The file, in the package's rubrics folder.
RISK_RULE_FILE = "risk-handling.yml"
#: What the scorer decides about a response's handling of risk (Assessment.risk_handled).
RISK_OUTCOMES: tuple[str, ...] = ("safety_error", "passed_over", "taken_up")
#: How fully a way of responding takes a cue up.
STRENGTHS: tuple[str, ...] = ("full", "weak")
#: Placeholders messages and feedback may use.
PLACEHOLDERS: tuple[str, ...] = ("cue", "direct_question")
#: Levels an outcome may set or cap.
LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class RiskOutcome:
    """One decision about a response's handling of risk, with what it does to the level."""

    id: str
    """One of RISK_OUTCOMES."""
    name: str
    """Short name."""
    explanation: str
    """What it means, for a trainee."""
    level: int | None = None
    """The level the response gets, whatever else it does (a safety error: 1)."""
    level_cap: int | None = None
    """The highest level the response can get (passed over: 2)."""
    flags_supervisor: bool = False
    """Whether the supervisor sees it flagged."""


@dataclass(frozen=True)
class TakeUpWay:
    """A way of responding that takes a cue up (or, in `cancels`, stops it counting)."""

    id: str
    """Id."""
    name: str
    """Short name."""
    explanation: str
    """What it is and why it matters, for a trainee."""
    examples: tuple[str, ...]
    """Sample wording."""
    sources: tuple[Source, ...]
    """Where it comes from."""
    strength: str = "full"
    """One of STRENGTHS."""
    feedback: str = ""
    """Feedback when this is all the response does (a weak take-up says what to add)."""


@dataclass(frozen=True)
class SafetyErrorCategory:
    """Unsafe content: a response that could add to the risk, whatever else it does."""

    id: str
    """Id, e.g. `promises-secrecy`."""
    name: str
    """Short name."""
    kinds: tuple[str, ...]
    """Risk kinds it applies to (RISK_KINDS)."""
    explanation: str
    """Why it is unsafe, in plain language, for a trainee."""
    message: str
    """The safety-error message shown at level 1; may use {cue} and {direct_question}."""
    examples: tuple[str, ...]
    """Unsafe wording a trainee should recognise."""
    sources: tuple[Source, ...]
    """Where the rule comes from."""

    def text(self, cue: str, direct_question: str) -> str:
        """The message for a client's words and the plain question for their kind of risk; with
        no words to quote (`cue` empty), the message goes on without "The client said '...'"."""
        message = self.message
        if not cue:
            message = _QUOTED_CUE.sub(lambda m: m.group(1).upper(), message)
        return message.format(cue=cue, direct_question=direct_question)


@dataclass(frozen=True)
class KindGuidance:
    """What asking directly means for one kind of risk."""

    kind: str
    """One of RISK_KINDS."""
    asks_directly: str
    """What a direct question asks about, in plain words."""
    examples: tuple[str, ...]
    """Plain questions."""


@dataclass(frozen=True)
class RiskRule:
    """The whole rule: outcomes, ways of taking a cue up, what cancels them, safety errors."""

    title: str
    """Title."""
    rule: str
    """The rule in one paragraph."""
    sources: tuple[Source, ...]
    """Where it comes from."""
    outcomes: tuple[RiskOutcome, ...]
    """Outcomes in precedence order: the first that applies is given."""
    take_up: tuple[TakeUpWay, ...]
    """Ways of taking a cue up."""
    cancels: tuple[TakeUpWay, ...]
    """What stops a reflection or question from taking a cue up."""
    safety_errors: tuple[SafetyErrorCategory, ...]
    """Kinds of unsafe content."""
    kinds: Mapping[str, KindGuidance]
    """Guidance by risk kind."""

    def outcome(self, outcome_id: str) -> RiskOutcome:
        """The outcome with this id, or KeyError."""
        return {o.id: o for o in self.outcomes}[outcome_id]

    def safety_error(self, category_id: str) -> SafetyErrorCategory:
        """The safety-error category with this id, or KeyError."""
        return {c.id: c for c in self.safety_errors}[category_id]

    def safety_errors_for(self, kind: str) -> tuple[SafetyErrorCategory, ...]:
        """Safety-error categories that apply to a kind of risk cue."""
        return tuple(c for c in self.safety_errors if kind in c.kinds)


@cache
def load_risk_rule() -> RiskRule:
    """The bundled rule; ScenarioErrors naming file, line and field on any problem."""
    text = resources.files("empathy_training").joinpath("rubrics", RISK_RULE_FILE).read_text()
    rule, problems = read_risk_rule(text, f"rubrics/{RISK_RULE_FILE}", load_sources())
    if problems or rule is None:
        raise ScenarioErrors(problems or [ScenarioError(RISK_RULE_FILE, 1, "(file)", "empty")])
    return rule


def read_risk_rule(
    text: str | bytes, file: str, sources: Mapping[str, Source]
) -> tuple[RiskRule | None, list[ScenarioError]]:
    """Read a risk rule file, returning it (None on any problem) and every problem found."""
    problems = Problems(file)
    reader = _Reader(problems, sources)
    decoded = decode(text, problems) if isinstance(text, bytes) else text
    node = compose(decoded, problems, "rubric files") if decoded is not None else None
    if node is None:
        if not problems.items:
            problems.add(1, "(file)", "the file is empty")
        return None, problems.items
    top = reader.mapping(
        Field(node, ""),
        ("id", "title", "rule", "source", "outcomes", "take_up", "safety_errors", "kinds"),
        ("cancels",),
    )
    if top is None:
        return None, problems.items
    outcomes = tuple(o for o in map(reader.outcome, reader.sequence(top.get("outcomes"))) if o)
    reader.exactly("outcomes", top.get("outcomes"), [o.id for o in outcomes], RISK_OUTCOMES)
    rule = RiskRule(
        title=reader.text(top.get("title")),
        rule=reader.text(top.get("rule")),
        sources=reader.cited(top.get("source")),
        outcomes=outcomes,
        take_up=tuple(w for w in map(reader.way, reader.sequence(top.get("take_up"))) if w),
        cancels=tuple(w for w in map(reader.way, reader.sequence(top.get("cancels"))) if w),
        safety_errors=tuple(
            c for c in map(reader.category, reader.sequence(top.get("safety_errors"))) if c
        ),
        kinds=reader.kinds(top.get("kinds")),
    )
    return (rule if not problems.items else None), problems.items


class _Reader(SourceReader):
    """Reads the rule's parts, recording problems instead of raising."""

    def cited(self, field: Field | None) -> tuple[Source, ...]:
        """Sources of a part of the rule: at least one."""
        if field is not None and not self.sequence(field):
            self.problems.add(field.line, field.path, "name at least one source")
        return self.sources(field)

    def wording(self, field: Field | None) -> str:
        """Text whose {placeholders} are all in PLACEHOLDERS."""
        value = self.text(field)
        if field is None:
            return value
        try:
            names = {n for _, n, _, _ in string.Formatter().parse(value) if n is not None}
        except ValueError as exc:
            self.problems.add(field.line, field.path, f"badly formed placeholder: {exc}")
            return value
        allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        for name in sorted(names - set(PLACEHOLDERS)):
            self.problems.add(
                field.line, field.path, f"unknown placeholder {{{name}}}; allowed: {allowed}"
            )
        return value

    def exactly(
        self, name: str, field: Field | None, ids: list[str], wanted: tuple[str, ...]
    ) -> None:
        if field is not None and sorted(ids) != sorted(wanted):
            self.problems.add(
                field.line,
                name,
                f"expected exactly these ids: {', '.join(wanted)}; got {', '.join(ids)}",
            )

    def outcome(self, field: Field) -> RiskOutcome | None:
        fields = self.mapping(
            labelled(field, "outcomes"),
            ("id", "name", "explanation"),
            ("level", "level_cap", "flags_supervisor"),
        )
        if fields is None:
            return None
        flag = (
            self.scalar(fields.get("flags_supervisor")) if "flags_supervisor" in fields else False
        )
        if not isinstance(flag, bool):
            self.problems.add(
                fields["flags_supervisor"].line,
                fields["flags_supervisor"].path,
                "expected true or false",
            )
        return RiskOutcome(
            id=self.choice(fields.get("id"), RISK_OUTCOMES),
            name=self.text(fields.get("name")),
            explanation=self.text(fields.get("explanation")),
            level=self.integer(fields["level"], LEVELS) if "level" in fields else None,
            level_cap=self.integer(fields["level_cap"], LEVELS) if "level_cap" in fields else None,
            flags_supervisor=bool(flag),
        )

    def way(self, field: Field) -> TakeUpWay | None:
        field = labelled(field, field.path.split("[")[0])
        fields = self.mapping(
            field,
            ("id", "name", "explanation", "examples", "source"),
            ("strength", "feedback"),
        )
        if fields is None:
            return None
        strength = (
            self.choice(fields.get("strength"), STRENGTHS) if "strength" in fields else "full"
        )
        feedback = self.wording(fields.get("feedback"))
        if strength == "weak" and not feedback:
            self.problems.add(
                field.line, field.path, "a weak take-up needs `feedback` saying what to add"
            )
        return TakeUpWay(
            id=self.identifier(fields.get("id")),
            name=self.text(fields.get("name")),
            explanation=self.text(fields.get("explanation")),
            examples=self.texts(fields.get("examples")),
            sources=self.cited(fields.get("source")),
            strength=strength,
            feedback=feedback,
        )

    def category(self, field: Field) -> SafetyErrorCategory | None:
        fields = self.mapping(
            labelled(field, "safety_errors"),
            ("id", "name", "kinds", "explanation", "message", "examples", "source"),
        )
        if fields is None:
            return None
        return SafetyErrorCategory(
            id=self.identifier(fields.get("id")),
            name=self.text(fields.get("name")),
            kinds=tuple(self.choice(k, RISK_KINDS) for k in self.sequence(fields.get("kinds"))),
            explanation=self.text(fields.get("explanation")),
            message=self.wording(fields.get("message")),
            examples=self.texts(fields.get("examples")),
            sources=self.cited(fields.get("source")),
        )

    def kinds(self, field: Field | None) -> dict[str, KindGuidance]:
        entries = self.mapping(field, RISK_KINDS) if field is not None else None
        found: dict[str, KindGuidance] = {}
        for kind, entry in (entries or {}).items():
            fields = self.mapping(entry, ("asks_directly", "examples"))
            if fields is not None:
                examples = self.texts(fields.get("examples"))
                found[kind] = KindGuidance(kind, self.text(fields.get("asks_directly")), examples)
        return found
