"""Reading YAML data files node by node, so that every problem names its file, line and field."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError

#: Longest piece of a file's own text quoted in a message.
MAX_QUOTED_CHARS = 60
#: Ids are lowercase words joined by hyphens.
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases: a data file here has no use for them, and an alias
    chain can make a small file expand without bound."""

    #: What the refusal calls the file.
    kind = "scenario files"

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*name) are not allowed in {self.kind}", event.start_mark
            )
        return super().compose_node(parent, index)


def quoted(text: str) -> str:
    """`text` cut to MAX_QUOTED_CHARS, for a message."""
    text = str(text)
    return text if len(text) <= MAX_QUOTED_CHARS else text[: MAX_QUOTED_CHARS - 3] + "..."


def show(node: yaml.Node) -> str:
    """How a message names a node that is not what was expected."""
    if isinstance(node, yaml.ScalarNode):
        return f"'{quoted(node.value)}'" if node.value else "nothing"
    return "a mapping" if isinstance(node, yaml.MappingNode) else "a list"


def squash(text: str) -> str:
    """Lower case, punctuation as spaces, single-spaced: for comparing phrases."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower().replace("’", "'")).split())


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring case and punctuation."""
    words, wanted = f" {squash(text)} ", squash(phrase)
    return bool(wanted) and f" {wanted} " in words


@dataclass(frozen=True)
class Field:
    """A YAML node with the dotted path that names it in messages."""

    node: yaml.Node
    """The node."""
    path: str
    """Its dotted name, e.g. `vignettes[rlb-knee-pain].answer_key.means`."""

    @property
    def line(self) -> int:
        """Line number, from 1."""
        return self.node.start_mark.line + 1


def labelled(field: Field, collection: str) -> Field:
    """Name an item of a list by its id in messages (`criteria[reflects]`) when it has one."""
    if isinstance(field.node, yaml.MappingNode):
        for key, value in field.node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode) and value.value:
                return Field(field.node, f"{collection}[{quoted(value.value)}]")
    return field


class Problems:
    """Collects problems (which stop a file loading) and warnings (which do not) for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ScenarioError] = []
        self.warnings: list[ScenarioError] = []

    def add(self, line: int, field: str, message: str) -> None:
        """Record a problem."""
        self.items.append(ScenarioError(self.file, line, field, message))

    def warn(self, line: int, field: str, message: str) -> None:
        """Record a warning."""
        self.warnings.append(ScenarioError(self.file, line, field, message))


def compose(text: str, problems: Problems, kind: str = "scenario files") -> yaml.Node | None:
    """The YAML node tree of `text`, or None with the syntax problem recorded."""
    loader = type("_Loader", (NoAliasLoader,), {"kind": kind})
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(line, "(syntax)", f"YAML syntax error: {quoted(exc.problem or str(exc))}")
    except RecursionError:
        problems.add(1, "(syntax)", "the file is nested too deeply to be read")
    except yaml.YAMLError as exc:
        problems.add(1, "(syntax)", f"YAML error: {exc}")
    return None


def read_text(path: Path, problems: Problems, max_bytes: int) -> str | None:
    """The file's text, or None with the reason recorded (unreadable, too large, not UTF-8)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(1, "(file)", f"cannot read the file: {exc.strerror or exc}")
        return None
    if size > max_bytes:
        problems.add(
            1,
            "(file)",
            f"the file is {size / 1_000_000:.1f} MB; scenario files may be at most "
            f"{max_bytes // 1_000_000} MB (split it into modules)",
        )
        return None
    return decode(path.read_bytes(), problems)


def decode(data: bytes, problems: Problems) -> str | None:
    """UTF-8 text of `data`, or None with the first bad byte recorded."""
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


class FieldReader:
    """Turns YAML nodes into plain values, recording problems instead of raising."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def mapping(
        self,
        field: Field,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        *,
        others: bool = False,
    ) -> dict[str, Field] | None:
        """The fields of a mapping; unknown names are a problem unless `others` allows (and
        returns) them."""
        node = field.node
        if not isinstance(node, yaml.MappingNode):
            self.problems.add(field.line, field.path or "(top level)", "expected a mapping")
            return None
        known = required + optional
        items: dict[str, Field] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                where = field.path or "(top level)"
                self.problems.add(key_node.start_mark.line + 1, where, "a field name must be text")
                continue
            key = quoted(key_node.value)
            name = f"{field.path}.{key}" if field.path else key
            if key in items:
                self.problems.add(key_node.start_mark.line + 1, name, "duplicate field")
                continue
            if key not in known and not others:
                hint = difflib.get_close_matches(key, known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problems.add(
                    key_node.start_mark.line + 1,
                    name,
                    f"unknown field{suggestion}; allowed: {', '.join(known)}",
                )
                continue
            items[key] = Field(value_node, name)
        for key in required:
            if key not in items:
                name = f"{field.path}.{key}" if field.path else key
                self.problems.add(field.line, name, "missing required field")
        return items

    def text(self, field: Field | None, *, allow_empty: bool = False) -> str:
        """Single-spaced text; a problem for a list, a mapping or nothing."""
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

    def integer(self, field: Field | None, allowed: tuple[int, ...]) -> int:
        """A whole number written in decimal, within `allowed`."""
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
            self.problems.add(field.line, field.path, f"expected a whole number, got {show(node)}")
            return 0
        if value not in allowed:
            self.problems.add(
                field.line,
                field.path,
                f"{value} is out of range; expected {allowed[0]} to {allowed[-1]}",
            )
        return int(value)

    def scalar(self, field: Field | None) -> str | int | float | bool | None:
        """A YAML scalar as its Python value (number, true/false, text); None if not a scalar."""
        if field is None:
            return None
        node = field.node
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.problems.add(field.line, field.path, f"expected a value, got {show(node)}")
            return None
        value = yaml.SafeLoader("").construct_object(node)
        return value if isinstance(value, str | int | float | bool) else str(value)

    def choice(self, field: Field | None, allowed: tuple[str, ...]) -> str:
        """Text that must be one of `allowed`."""
        value = self.text(field)
        if field is not None and value and value not in allowed:
            hint = difflib.get_close_matches(quoted(value), allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            expected = ", ".join(allowed)
            self.problems.add(
                field.line,
                field.path,
                f"unknown value '{quoted(value)}'{suggestion}; expected one of {expected}",
            )
        return value

    def identifier(self, field: Field | None) -> str:
        """An id: lowercase letters, digits and hyphens."""
        value = self.text(field)
        if field is not None and value and not ID_PATTERN.match(value):
            self.problems.add(
                field.line,
                field.path,
                f"'{quoted(value)}' is not a valid id (lowercase letters, digits and hyphens)",
            )
        return value

    def sequence(self, field: Field | None) -> list[Field]:
        """The items of a list (nothing for an absent or null field)."""
        if field is None:
            return []
        node = field.node
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problems.add(field.line, field.path, f"expected a list, got {show(node)}")
            return []
        return [Field(item, f"{field.path}[{i}]") for i, item in enumerate(node.value)]

    def texts(self, field: Field | None) -> tuple[str, ...]:
        """A list of non-empty texts."""
        return tuple(v for v in (self.text(item) for item in self.sequence(field)) if v)
