"""Scenario YAML -> models; every problem names its file, line and field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError, ScenarioErrors
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

#: Scenario files larger than this are refused before parsing.
MAX_FILE_BYTES = 1_000_000
#: Longest piece of a file's own text quoted in a message.
MAX_QUOTED_CHARS = 60
#: Ids are lowercase words joined by hyphens.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Reflective-listening levels an exemplar may carry.
LEVELS = (1, 2, 3, 4, 5)
#: Suffixes of files treated as scenario files when a directory is given.
SCENARIO_SUFFIXES = (".yml", ".yaml")


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases: a scenario file has no use for them, and an alias
    chain can make a small file expand without bound."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in scenario files", event.start_mark
            )
        return super().compose_node(parent, index)


def _quoted(text: str) -> str:
    """`text` cut to MAX_QUOTED_CHARS, for a message."""
    text = str(text)
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 3] + "..."


@dataclass(frozen=True)
class _Field:
    """A YAML node with the dotted path that names it in messages."""

    node: yaml.Node
    path: str

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1


class _Problems:
    """Collects problems for one file so that validation reports all of them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ScenarioError] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.items.append(ScenarioError(self.file, line, field, message))


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

    Raises ScenarioErrors listing every problem found.
    """
    modules, problems = check_files(scenario_files(paths or [bundled_scenarios_dir()]))
    if problems:
        raise ScenarioErrors(problems)
    return Library(tuple(sorted(modules, key=lambda m: (m.order, m.id))))


def check_files(files: list[Path]) -> tuple[list[Module], list[ScenarioError]]:
    """Load each file, returning the modules that loaded and every problem found."""
    modules: list[Module] = []
    problems: list[ScenarioError] = []
    seen: dict[str, tuple[str, int]] = {}
    for file in files:
        module, file_problems, lines = _load_file(file)
        problems.extend(file_problems)
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
    return modules, problems


def load_module(path: Path) -> Module:
    """Load one module file; raise ScenarioErrors on any problem."""
    module, problems, _ = _load_file(path)
    if problems or module is None:
        raise ScenarioErrors(problems)
    return module


def _load_file(path: Path) -> tuple[Module | None, list[ScenarioError], dict[str, int]]:
    problems = _Problems(str(path))
    text = _read_text(path, problems)
    if text is None:
        return None, problems.items, {}
    try:
        root = yaml.compose(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(line, "(syntax)", f"YAML syntax error: {_quoted(exc.problem or str(exc))}")
        return None, problems.items, {}
    except RecursionError:
        problems.add(1, "(syntax)", "the file is nested too deeply to be a scenario file")
        return None, problems.items, {}
    except yaml.YAMLError as exc:
        problems.add(1, "(syntax)", f"YAML error: {exc}")
        return None, problems.items, {}
    if root is None:
        problems.add(1, "(file)", "the file is empty; expected 'module' and 'vignettes'")
        return None, problems.items, {}
    reader = _Reader(problems)
    module, lines = reader.module(_Field(root, ""), path)
    return (module if not problems.items else None), problems.items, lines


def _read_text(path: Path, problems: _Problems) -> str | None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(1, "(file)", f"cannot read the file: {exc.strerror or exc}")
        return None
    if size > MAX_FILE_BYTES:
        problems.add(
            1,
            "(file)",
            f"the file is {size / 1_000_000:.1f} MB; scenario files may be at most "
            f"{MAX_FILE_BYTES // 1_000_000} MB (split it into modules)",
        )
        return None
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            line,
            "(encoding)",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8",
        )
        return None


class _Reader:
    """Turns composed YAML nodes into models, recording problems instead of raising."""

    def __init__(self, problems: _Problems) -> None:
        self.problems = problems

    # -- generic checks -------------------------------------------------------------------

    def mapping(
        self, field: _Field, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, _Field] | None:
        node = field.node
        if not isinstance(node, yaml.MappingNode):
            self.problems.add(field.line, field.path or "(top level)", "expected a mapping")
            return None
        known = required + optional
        items: dict[str, _Field] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                where = field.path or "(top level)"
                self.problems.add(key_node.start_mark.line + 1, where, "a field name must be text")
                continue
            key = _quoted(key_node.value)
            name = f"{field.path}.{key}" if field.path else key
            if key in items:
                self.problems.add(key_node.start_mark.line + 1, name, "duplicate field")
                continue
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                allowed = ", ".join(known)
                self.problems.add(
                    key_node.start_mark.line + 1,
                    name,
                    f"unknown field{suggestion}; allowed: {allowed}",
                )
                continue
            items[key] = _Field(value_node, name)
        for key in required:
            if key not in items:
                name = f"{field.path}.{key}" if field.path else key
                self.problems.add(field.line, name, "missing required field")
        return items

    def text(self, field: _Field | None, *, allow_empty: bool = False) -> str:
        if field is None:
            return ""
        node = field.node
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.problems.add(field.line, field.path, "expected text")
            return ""
        value = " ".join(str(node.value).split())
        if not value and not allow_empty:
            self.problems.add(field.line, field.path, "must not be empty")
        return value

    def integer(self, field: _Field | None, allowed: tuple[int, ...]) -> int:
        if field is None:
            return 0
        node = field.node
        value: Any = None
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            try:
                value = int(node.value.replace("_", ""), 10)
            except ValueError:  # 0x1, 0b10, 1:30 are YAML integers, but not how a level is written
                value = None
        if value is None:
            self.problems.add(field.line, field.path, f"expected a whole number, got {_show(node)}")
            return 0
        if value not in allowed:
            self.problems.add(
                field.line,
                field.path,
                f"{value} is out of range; expected {allowed[0]} to {allowed[-1]}",
            )
        return int(value)

    def choice(self, field: _Field | None, allowed: tuple[str, ...]) -> str:
        value = self.text(field)
        if field is not None and value and value not in allowed:
            hint = difflib.get_close_matches(_quoted(value), allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            expected = ", ".join(allowed)
            self.problems.add(
                field.line,
                field.path,
                f"unknown value '{_quoted(value)}'{suggestion}; expected one of {expected}",
            )
        return value

    def identifier(self, field: _Field | None) -> str:
        value = self.text(field)
        if field is not None and value and not ID_PATTERN.match(value):
            self.problems.add(
                field.line,
                field.path,
                f"'{_quoted(value)}' is not a valid id (lowercase letters, digits and hyphens)",
            )
        return value

    def sequence(self, field: _Field | None) -> list[_Field]:
        if field is None:
            return []
        node = field.node
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problems.add(field.line, field.path, f"expected a list, got {_show(node)}")
            return []
        return [_Field(item, f"{field.path}[{i}]") for i, item in enumerate(node.value)]

    def texts(self, field: _Field | None) -> tuple[str, ...]:
        return tuple(v for v in (self.text(item) for item in self.sequence(field)) if v)

    # -- domain -----------------------------------------------------------------------------

    def module(self, root: _Field, path: Path) -> tuple[Module | None, dict[str, int]]:
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

    def vignette(self, field: _Field, module_id: str) -> Vignette | None:
        field = _Field(field.node, _vignette_label(field))
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

    def answer_key(self, field: _Field | None, statement: str) -> AnswerKey:
        fields = (
            self.mapping(
                field,
                ("stated_feelings", "unstated_feelings", "meanings", "key_content"),
                ("over_interpretations", "risk_cues"),
            )
            if field
            else None
        ) or {}
        cues = tuple(
            c
            for c in (self.risk_cue(x, statement) for x in self.sequence(fields.get("risk_cues")))
            if c
        )
        return AnswerKey(
            stated_feelings=self.texts(fields.get("stated_feelings")),
            unstated_feelings=self.texts(fields.get("unstated_feelings")),
            meanings=self.texts(fields.get("meanings")),
            key_content=self.texts(fields.get("key_content")),
            over_interpretations=self.texts(fields.get("over_interpretations")),
            risk_cues=cues,
        )

    def risk_cue(self, field: _Field, statement: str) -> RiskCue | None:
        fields = self.mapping(field, ("kind", "cue", "acknowledged_by"))
        if fields is None:
            return None
        cue = self.text(fields.get("cue"))
        if cue and statement and _squash(cue) not in _squash(statement):
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

    def exemplar(self, field: _Field) -> Exemplar | None:
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


def _vignette_label(field: _Field) -> str:
    """Name a vignette by its id in messages when it has a usable one."""
    if isinstance(field.node, yaml.MappingNode):
        for key, value in field.node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value:
                return f"vignettes[{value.value}]"
    return field.path


def _show(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return f"'{_quoted(node.value)}'" if node.value else "nothing"
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower().replace("’", "'")).split())
