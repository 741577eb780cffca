"""Scenario YAML -> models; every problem names its file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import ScenarioError, ScenarioErrors
from .library_cache import cache_key, read_cache, write_cache
from .models import (
    DIFFICULTIES,
    RISK_KINDS,
    ROADBLOCK_IDS,
    RUBRIC_NAMES,
    AnswerKey,
    Exemplar,
    Library,
    Module,
    RiskCue,
    Vignette,
)
from .yaml_fields import (
    Field,
    FieldReader,
    Problems,
    compose,
    contains_phrase,
    quoted,
    read_text,
    squash,
)

#: Scenario files larger than this are refused before parsing.
MAX_FILE_BYTES = 1_000_000
#: Reflective-listening levels an exemplar may carry.
LEVELS = (1, 2, 3, 4, 5)
#: Suffixes of files treated as scenario files when a directory is given.
SCENARIO_SUFFIXES = (".yml", ".yaml")
#: Optional answer-key fields: lists, empty when left out.
OPTIONAL_KEY_FIELDS = (
    "over_interpretations",
    "risk_cues",
    "means",
    "safeguarding",
    "capacity",
    "self_labels",
    "risk_factors",
    "urgent_action",
)
#: Risk kinds after which a supervisor asks about access to means (answer_key.means): a
#: vignette with one of them and no `means` gets a warning.
MEANS_RISK_KINDS = ("suicide", "self-harm")


@dataclass(frozen=True)
class LibraryCheck:
    """What checking scenario files found: the modules that loaded, problems and warnings."""

    modules: tuple[Module, ...]
    """Modules of the files that loaded without a problem."""
    problems: tuple[ScenarioError, ...]
    """Problems: a file with any of them does not load."""
    warnings: tuple[ScenarioError, ...]
    """Gaps a clinical reviewer should look at; they do not stop a file loading."""


def bundled_scenarios_dir() -> Path:
    """The scenarios folder of a source checkout or an installed data directory."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "scenarios", here.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled scenarios folder was not found")


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their YAML files, sorted; keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in SCENARIO_SUFFIXES))
        else:
            files.append(path)
    return files


def load_library(paths: Iterable[Path] | None = None) -> Library:
    """Load and validate modules from files or folders (the bundled library by default).

    Raises ScenarioErrors listing every problem found; warnings do not stop loading.
    """
    files = scenario_files(paths or [bundled_scenarios_dir()])
    key = cache_key(files)
    cached = read_cache(key)
    if cached is not None:
        return cached
    modules, problems = check_files(files)
    if problems:
        raise ScenarioErrors(problems)
    library = Library(tuple(sorted(modules, key=lambda m: (m.order, m.id))))
    write_cache(key, library)
    return library


def check_files(files: list[Path]) -> tuple[list[Module], list[ScenarioError]]:
    """Load each file, returning the modules that loaded and every problem found."""
    check = check_library(files)
    return list(check.modules), list(check.problems)


def check_library(files: list[Path]) -> LibraryCheck:
    """Load each file, returning the modules that loaded, every problem and every warning."""
    modules: list[Module] = []
    problems: list[ScenarioError] = []
    warnings: list[ScenarioError] = []
    seen: dict[str, tuple[str, int]] = {}
    for file in files:
        module, found, lines = _load_file(file)
        problems.extend(found.items)
        warnings.extend(found.warnings)
        if module is None:
            continue
        for vignette in module.vignettes:
            line = lines[vignette.id]
            if vignette.id in seen:
                first_file, first_line = seen[vignette.id]
                problems.append(
                    ScenarioError(
                        str(file),
                        line,
                        "vignettes.id",
                        f"duplicate vignette id '{vignette.id}' "
                        f"(first defined at {first_file}:{first_line})",
                    )
                )
            else:
                seen[vignette.id] = (str(file), line)
        modules.append(module)
    return LibraryCheck(tuple(modules), tuple(problems), tuple(warnings))


def load_module(path: Path) -> Module:
    """Load one module file; raise ScenarioErrors on any problem."""
    module, found, _ = _load_file(path)
    if found.items or module is None:
        raise ScenarioErrors(found.items)
    return module


def _load_file(path: Path) -> tuple[Module | None, Problems, dict[str, int]]:
    problems = Problems(str(path))
    text = read_text(path, problems, MAX_FILE_BYTES)
    if text is None:
        return None, problems, {}
    root = compose(text, problems)
    if problems.items:
        return None, problems, {}
    if root is None:
        problems.add(1, "(file)", "the file is empty; expected 'module' and 'vignettes'")
        return None, problems, {}
    module, lines = _Reader(problems).module(Field(root, ""), path)
    return (module if not problems.items else None), problems, lines


class _Reader(FieldReader):
    """Turns composed YAML nodes into models, recording problems instead of raising."""

    # -- domain -----------------------------------------------------------------------------

    def module(self, root: Field, path: Path) -> tuple[Module | None, dict[str, int]]:
        top = self.mapping(root, ("module", "vignettes"))
        if top is None:
            return None, {}
        head = top.get("module")
        module_fields = (
            self.mapping(head, ("id", "title", "description"), ("order", "rubric"))
            if head
            else None
        ) or {}
        module_id = self.identifier(module_fields.get("id"))
        order_field = module_fields.get("order")
        order = self.integer(order_field, tuple(range(0, 1000))) if order_field else 0
        rubric_field = module_fields.get("rubric")
        rubric = self.choice(rubric_field, RUBRIC_NAMES) if rubric_field else "reflection"
        vignettes: list[Vignette] = []
        lines: dict[str, int] = {}
        items = self.sequence(top.get("vignettes"))
        if "vignettes" in top and not items:
            self.problems.add(top["vignettes"].line, "vignettes", "a module needs vignettes")
        for item in items:
            vignette = self.vignette(item, module_id)
            if vignette is not None:
                if vignette.id in lines:
                    self.problems.add(
                        item.line,
                        f"{item.path}.id",
                        f"duplicate vignette id '{vignette.id}' "
                        f"(first defined at line {lines[vignette.id]})",
                    )
                else:
                    lines[vignette.id] = item.line
                vignettes.append(vignette)
        module = Module(
            id=module_id,
            title=self.text(module_fields.get("title")),
            description=self.text(module_fields.get("description")),
            vignettes=tuple(vignettes),
            order=order,
            rubric=rubric,
            source=str(path),
        )
        return module, lines

    def vignette(self, field: Field, module_id: str) -> Vignette | None:
        field = Field(field.node, _vignette_label(field))
        fields = self.mapping(
            field,
            (
                "id",
                "title",
                "setting",
                "client",
                "statement",
                "difficulty",
                "answer_key",
                "exemplars",
            ),
            ("nonverbal",),
        )
        if fields is None:
            return None
        vignette_id = self.identifier(fields.get("id"))
        statement = self.text(fields.get("statement"))
        answer_key = self.answer_key(fields.get("answer_key"), statement)
        exemplars = tuple(
            e for e in (self.exemplar(x) for x in self.sequence(fields.get("exemplars"))) if e
        )
        if "exemplars" in fields:
            missing = sorted(set(LEVELS) - {e.level for e in exemplars})
            if missing:
                self.problems.add(
                    fields["exemplars"].line,
                    fields["exemplars"].path,
                    "needs at least one exemplar for each level 1-5; missing level "
                    + ", ".join(map(str, missing)),
                )
        return Vignette(
            id=vignette_id,
            title=self.text(fields.get("title")),
            setting=self.text(fields.get("setting")),
            client=self.text(fields.get("client")),
            statement=statement,
            difficulty=self.choice(fields.get("difficulty"), DIFFICULTIES),
            answer_key=answer_key,
            exemplars=exemplars,
            module_id=module_id,
            nonverbal=self.text(fields.get("nonverbal"), allow_empty=True),
        )

    def answer_key(self, field: Field | None, statement: str) -> AnswerKey:
        fields = (
            self.mapping(
                field,
                ("stated_feelings", "unstated_feelings", "meanings", "key_content"),
                OPTIONAL_KEY_FIELDS,
            )
            if field
            else None
        ) or {}
        cues = tuple(
            c
            for c in (self.risk_cue(x, statement) for x in self.sequence(fields.get("risk_cues")))
            if c
        )
        labels = self.self_labels(fields.get("self_labels"), statement)
        for name in ("stated_feelings", "unstated_feelings"):
            self.not_self_labels(fields.get(name), labels)
        key = AnswerKey(
            stated_feelings=self.texts(fields.get("stated_feelings")),
            unstated_feelings=self.texts(fields.get("unstated_feelings")),
            meanings=self.texts(fields.get("meanings")),
            key_content=self.texts(fields.get("key_content")),
            over_interpretations=self.texts(fields.get("over_interpretations")),
            risk_cues=cues,
            means=self.texts(fields.get("means")),
            safeguarding=self.texts(fields.get("safeguarding")),
            capacity=self.texts(fields.get("capacity")),
            self_labels=labels,
            risk_factors=self.texts(fields.get("risk_factors")),
            urgent_action=self.texts(fields.get("urgent_action")),
        )
        kinds = sorted({c.kind for c in cues} & set(MEANS_RISK_KINDS))
        if field is not None and kinds and not key.means:
            self.problems.warn(
                field.line,
                f"{field.path}.means",
                f"a {' and '.join(kinds)} risk cue with no means: list the access to means a "
                "supervisor would ask about, or 'not stated: ask about access to means'",
            )
        return key

    def self_labels(self, field: Field | None, statement: str) -> tuple[str, ...]:
        """The client's self-critical words; each must be words of the statement."""
        labels: list[str] = []
        for item in self.sequence(field):
            label = self.text(item)
            if label and statement and not contains_phrase(statement, label):
                self.problems.add(
                    item.line,
                    item.path,
                    f"'{quoted(label)}' does not appear in the statement; self_labels are the "
                    "client's own words",
                )
            if label:
                labels.append(label)
        return tuple(labels)

    def not_self_labels(self, field: Field | None, labels: tuple[str, ...]) -> None:
        """A feeling that is one of the client's self-critical words is a problem."""
        for item in self.sequence(field) if labels else ():
            feeling = item.node.value if isinstance(item.node, yaml.ScalarNode) else ""
            label = next((x for x in labels if _overlaps(str(feeling), x)), None)
            if label is not None:
                self.problems.add(
                    item.line,
                    item.path,
                    f"'{quoted(feeling)}' is one of the client's self-critical words "
                    f"(self_labels: '{quoted(label)}'); feedback must never offer it back as a "
                    "feeling",
                )

    def risk_cue(self, field: Field, statement: str) -> RiskCue | None:
        fields = self.mapping(field, ("kind", "cue", "acknowledged_by"))
        if fields is None:
            return None
        cue = self.text(fields.get("cue"))
        if cue and statement and squash(cue) not in squash(statement):
            self.problems.add(
                fields["cue"].line, fields["cue"].path, f"'{cue}' does not appear in the statement"
            )
        acknowledged = self.texts(fields.get("acknowledged_by"))
        if "acknowledged_by" in fields and not acknowledged:
            self.problems.add(
                fields["acknowledged_by"].line,
                fields["acknowledged_by"].path,
                "list the words a response would use to take the risk up",
            )
        return RiskCue(self.choice(fields.get("kind"), RISK_KINDS), cue, acknowledged)

    def exemplar(self, field: Field) -> Exemplar | None:
        fields = self.mapping(field, ("level", "text", "note", "roadblocks"))
        if fields is None:
            return None
        roadblocks = tuple(
            self.choice(x, ROADBLOCK_IDS) for x in self.sequence(fields.get("roadblocks"))
        )
        return Exemplar(
            text=self.text(fields.get("text")),
            level=self.integer(fields.get("level"), LEVELS),
            note=self.text(fields.get("note")),
            roadblocks=roadblocks,
        )


def _vignette_label(field: Field) -> str:
    """Name a vignette by its id in messages when it has a usable one."""
    if isinstance(field.node, yaml.MappingNode):
        for key, value in field.node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value:
                return f"vignettes[{value.value}]"
    return field.path


def _overlaps(feeling: str, label: str) -> bool:
    """Whether a feeling and a self-label are the same words, or one holds the other."""
    return contains_phrase(feeling, label) or contains_phrase(label, feeling)
