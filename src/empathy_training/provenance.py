"""Where each rubric criterion and threshold comes from: its sources, its rule, its stated basis."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from .errors import ScenarioError, ScenarioErrors
from .yaml_fields import Field, FieldReader, Problems, compose, decode, labelled

__all__ = [
    "SET_BY_US",
    "SOURCE_KINDS",
    "CriterionProvenance",
    "RubricProvenance",
    "Source",
    "SourceReader",
    "Threshold",
    "load_rubric_provenance",
    "load_sources",
    "read_rubric_provenance",
    "read_sources",
    "source_ids",
]

#: Folder of the package's rubric files.
RUBRICS_FOLDER = "rubrics"
#: The bibliography every rubric, the risk rule and the glossary cite by id.
SOURCES_FILE = "sources.yml"
#: Kinds of source.
SOURCE_KINDS: tuple[str, ...] = (
    "manual",
    "book",
    "chapter",
    "article",
    "conference paper",
    "guideline",
    "statute",
    "statutory guidance",
    "project",
)
#: How the basis of a threshold no source decides begins.
SET_BY_US = "Set by us because"
#: Years a source may carry.
YEARS = tuple(range(1900, 2101))

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Source:
    """A published work, law or guidance, as cited in sources.yml."""

    id: str
    """Id the data files cite it by."""
    authors: str
    """Author(s) or issuing body."""
    year: int
    """Year of publication."""
    title: str
    """Title (instrument, manual, statute or guidance)."""
    published: str
    """Where it appeared: journal, publisher, proceedings or kind of document."""
    kind: str
    """One of SOURCE_KINDS."""

    @property
    def citation(self) -> str:
        """One-line citation: authors (year). title. published."""
        return f"{self.authors} ({self.year}). {self.title}. {self.published}."


@dataclass(frozen=True)
class Threshold:
    """A number (or setting) the scorer uses, with why it has that value."""

    name: str
    """Parameter or setting name, e.g. `min_score`, `interrogating_run`, `level_cap`."""
    value: Scalar
    """Its value, as the rubric uses it."""
    basis: str
    """Why this value: a source's figure, or "Set by us because ..."."""
    sources: tuple[Source, ...] = ()
    """Sources of the value; empty when it is ours."""

    @property
    def set_by_us(self) -> bool:
        """Whether no published source decides the value."""
        return not self.sources


@dataclass(frozen=True)
class CriterionProvenance:
    """A rubric criterion's sources, the rule it implements and its thresholds."""

    id: str
    """Criterion id, as in the rubric file."""
    name: str
    """Short name shown to trainees."""
    rule: str
    """The rule the criterion implements, in plain words."""
    sources: tuple[Source, ...]
    """Where the criterion comes from."""
    thresholds: tuple[Threshold, ...] = ()
    """Its numbers and their bases."""
    params: Mapping[str, Scalar] = field(default_factory=dict)
    """The detector parameters the thresholds describe."""

    def threshold(self, name: str) -> Threshold:
        """The threshold with this name, or KeyError."""
        for threshold in self.thresholds:
            if threshold.name == name:
                return threshold
        raise KeyError(name)


@dataclass(frozen=True)
class RubricProvenance:
    """A rubric's sources, its settings' bases, and each criterion's provenance."""

    id: str
    """Rubric name."""
    sources: tuple[Source, ...]
    """Where the rubric as a whole comes from."""
    settings: Mapping[str, Scalar]
    """The rubric's settings, e.g. `interrogating_run`."""
    thresholds: tuple[Threshold, ...]
    """Bases of the settings."""
    criteria: tuple[CriterionProvenance, ...]
    """Criteria in the rubric's order."""

    def criterion(self, criterion_id: str) -> CriterionProvenance:
        """The criterion with this id, or KeyError."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def gaps(self) -> tuple[str, ...]:
        """What is missing for the rubric to be traceable: a criterion with no source or rule,
        a numeric parameter or setting with no stated basis."""
        found: list[str] = [] if self.sources else [f"{self.id}: source"]
        named = {t.name for t in self.thresholds}
        found += [
            f"{self.id}: thresholds.{k}"
            for k, v in self.settings.items()
            if _number(v) and k not in named
        ]
        for c in self.criteria:
            where = f"{self.id}: criteria[{c.id}]"
            found += [f"{where}.source"] if not c.sources else []
            found += [f"{where}.rule"] if not c.rule else []
            names = {t.name for t in c.thresholds}
            found += [
                f"{where}.thresholds.{k}"
                for k, v in c.params.items()
                if _number(v) and k not in names
            ]
        return tuple(found)


def _number(value: Scalar) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _package_text(name: str) -> str:
    ref = resources.files("empathy_training").joinpath(RUBRICS_FOLDER, name)
    return ref.read_text(encoding="utf-8")


@cache
def load_sources() -> Mapping[str, Source]:
    """The bundled bibliography, by id; ScenarioErrors on any problem."""
    sources, problems = read_sources(
        _package_text(SOURCES_FILE), f"{RUBRICS_FOLDER}/{SOURCES_FILE}"
    )
    if problems:
        raise ScenarioErrors(problems)
    return sources


@cache
def load_rubric_provenance(name: str) -> RubricProvenance:
    """The provenance of a bundled rubric (`reflection`, `validation`, `compassion`)."""
    file = f"{RUBRICS_FOLDER}/{name}.yml"
    rubric, problems = read_rubric_provenance(_package_text(f"{name}.yml"), file, load_sources())
    if problems or rubric is None:
        raise ScenarioErrors(problems or [ScenarioError(file, 1, "(file)", "nothing to read")])
    return rubric


def read_sources(text: str | bytes, file: str) -> tuple[dict[str, Source], list[ScenarioError]]:
    """Read a bibliography; every problem names its file, line and field."""
    problems = Problems(file)
    reader = _Reader(problems)
    root = reader.root(text)
    sources: dict[str, Source] = {}
    top = reader.mapping(root, ("sources",)) if root is not None else None
    for item in reader.sequence((top or {}).get("sources")):
        keys = ("id", "authors", "year", "title", "published", "kind")
        fields = reader.mapping(item, keys)
        if fields is None:
            continue
        source = Source(
            id=reader.identifier(fields.get("id")),
            authors=reader.text(fields.get("authors")),
            year=reader.integer(fields.get("year"), YEARS),
            title=reader.text(fields.get("title")),
            published=reader.text(fields.get("published")),
            kind=reader.choice(fields.get("kind"), SOURCE_KINDS),
        )
        if source.id in sources:
            problems.add(item.line, f"{item.path}.id", f"duplicate source id '{source.id}'")
        sources[source.id] = source
    return sources, problems.items


def read_rubric_provenance(
    text: str | bytes, file: str, sources: Mapping[str, Source]
) -> tuple[RubricProvenance | None, list[ScenarioError]]:
    """Read the provenance parts of a rubric file (other fields are the scorer's to check)."""
    problems = Problems(file)
    reader = _Reader(problems, sources)
    root = reader.root(text)
    top = reader.mapping(root, ("id", "criteria"), others=True) if root is not None else None
    if top is None:
        return None, problems.items
    settings = reader.scalars(top.get("settings"))
    criteria = tuple(
        c for c in (reader.criterion(x) for x in reader.sequence(top.get("criteria"))) if c
    )
    rubric = RubricProvenance(
        id=reader.text(top.get("id")),
        sources=reader.sources(top.get("source")),
        settings=settings,
        thresholds=reader.thresholds(top.get("thresholds"), settings, strict=True),
        criteria=criteria,
    )
    return (rubric if not problems.items else None), problems.items


class SourceReader(FieldReader):
    """A field reader that resolves source ids against a bibliography."""

    def __init__(self, problems: Problems, sources: Mapping[str, Source] | None = None) -> None:
        super().__init__(problems)
        self.known = sources or {}

    def sources(self, field: Field | None) -> tuple[Source, ...]:
        """The sources a list of ids names; an unknown id is a problem, with a suggestion."""
        found: list[Source] = []
        for item in self.sequence(field):
            source_id = self.text(item)
            if source_id in self.known:
                found.append(self.known[source_id])
            elif source_id:
                hint = difflib.get_close_matches(source_id, list(self.known), n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problems.add(
                    item.line,
                    item.path,
                    f"unknown source '{source_id}'{suggestion}; see sources.yml",
                )
        return tuple(found)


class _Reader(SourceReader):
    """Reads sources, rules and thresholds, recording problems instead of raising."""

    def root(self, text: str | bytes) -> Field | None:
        decoded = decode(text, self.problems) if isinstance(text, bytes) else text
        node = compose(decoded, self.problems, "rubric files") if decoded is not None else None
        if node is None and not self.problems.items:
            self.problems.add(1, "(file)", "the file is empty")
        return Field(node, "") if node is not None else None

    def scalars(self, field: Field | None) -> dict[str, Scalar]:
        fields = self.mapping(field, (), others=True) if field is not None else None
        values = {k: self.scalar(v) for k, v in (fields or {}).items()}
        return {k: v for k, v in values.items() if v is not None}

    def criterion(self, field: Field) -> CriterionProvenance | None:
        field = labelled(field, "criteria")
        optional = ("source", "rule", "params", "thresholds")
        fields = self.mapping(field, ("id", "name"), optional, others=True)
        if fields is None:
            return None
        params = self.scalars(fields.get("params"))
        rule = fields.get("rule")
        return CriterionProvenance(
            id=self.text(fields.get("id")),
            name=self.text(fields.get("name")),
            rule=self.text(rule) if rule is not None else "",
            sources=self.sources(fields.get("source")),
            thresholds=self.thresholds(fields.get("thresholds"), params, strict=False),
            params=params,
        )

    def thresholds(
        self, field: Field | None, values: Mapping[str, Scalar], *, strict: bool
    ) -> tuple[Threshold, ...]:
        """Thresholds of settings (`strict`: each must be a setting) or of a criterion's
        parameters (a name that is not a parameter documents a rule's number, e.g. a cap)."""
        entries = self.mapping(field, (), others=True) if field is not None else None
        found: list[Threshold] = []
        for name, entry in (entries or {}).items():
            fields = self.mapping(entry, ("value", "basis"), ("source",))
            if fields is None:
                continue
            value = self.scalar(fields.get("value"))
            basis = self.text(fields.get("basis"))
            sources = self.sources(fields.get("source"))
            if name in values and value is not None and value != values[name]:
                self.problems.add(
                    fields["value"].line,
                    fields["value"].path,
                    f"{value!r} differs from the value in use, {values[name]!r}",
                )
            elif name not in values:
                hint = difflib.get_close_matches(name, list(values), n=1)
                if strict or hint:
                    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                    self.problems.add(entry.line, entry.path, f"no such setting{suggestion}")
            if basis and not sources and not basis.startswith(SET_BY_US):
                self.problems.add(
                    fields["basis"].line,
                    fields["basis"].path,
                    f"a basis with no source must start '{SET_BY_US}'",
                )
            if value is not None:
                found.append(Threshold(name, value, basis, sources))
        return tuple(found)


def source_ids() -> tuple[str, ...]:
    """Ids of the bundled sources, in file order."""
    return tuple(load_sources())
