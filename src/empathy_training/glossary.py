"""The glossary: every technical term the feedback shows, in one plain-language line each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import ScenarioError, ScenarioErrors
from .provenance import Source, SourceReader, load_sources
from .yaml_fields import Field, Problems, compose, decode

__all__ = ["Glossary", "GlossaryEntry", "load_glossary", "read_glossary"]

#: The file, in the package's rubrics folder.
GLOSSARY_FILE = "glossary.yml"


@dataclass(frozen=True)
class GlossaryEntry:
    """A term and what it means, in one plain-language line."""

    term: str
    """The term as trainees meet it."""
    meaning: str
    """One plain-language line."""
    aliases: tuple[str, ...] = ()
    """Other forms the apps show: codes (ER), ids (moralizing), other spellings."""
    sources: tuple[Source, ...] = ()
    """Where the term comes from, when from a published instrument or law."""


@dataclass(frozen=True)
class Glossary:
    """Terms in file order, looked up by term or alias, ignoring case."""

    entries: tuple[GlossaryEntry, ...]
    """Every entry."""

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term, in file order."""
        return tuple(e.term for e in self.entries)

    def entry(self, term: str) -> GlossaryEntry:
        """The entry for a term or alias (any case), or KeyError."""
        wanted = _key(term)
        for entry in self.entries:
            if wanted in {_key(entry.term), *map(_key, entry.aliases)}:
                return entry
        raise KeyError(term)

    def meaning(self, term: str) -> str:
        """What a term or alias means, or KeyError."""
        return self.entry(term).meaning

    def __contains__(self, term: object) -> bool:
        if not isinstance(term, str):
            return False
        try:
            self.entry(term)
        except KeyError:
            return False
        return True


def _key(term: str) -> str:
    return " ".join(term.lower().split())


@cache
def load_glossary() -> Glossary:
    """The bundled glossary; ScenarioErrors naming file, line and field on any problem."""
    text = resources.files("empathy_training").joinpath("rubrics", GLOSSARY_FILE).read_text()
    glossary, problems = read_glossary(text, f"rubrics/{GLOSSARY_FILE}", load_sources())
    if problems:
        raise ScenarioErrors(problems)
    return glossary


def read_glossary(
    text: str | bytes, file: str, sources: Mapping[str, Source]
) -> tuple[Glossary, list[ScenarioError]]:
    """Read a glossary file: the entries that read cleanly, and every problem found."""
    problems = Problems(file)
    reader = SourceReader(problems, sources)
    decoded = decode(text, problems) if isinstance(text, bytes) else text
    node = compose(decoded, problems, "rubric files") if decoded is not None else None
    if node is None:
        if not problems.items:
            problems.add(1, "(file)", "the file is empty")
        return Glossary(()), problems.items
    top = reader.mapping(Field(node, ""), ("terms",))
    entries: list[GlossaryEntry] = []
    seen: dict[str, int] = {}
    for item in reader.sequence((top or {}).get("terms")):
        fields = reader.mapping(item, ("term", "meaning"), ("aliases", "source"))
        if fields is None:
            continue
        entry = GlossaryEntry(
            term=reader.text(fields.get("term")),
            meaning=reader.text(fields.get("meaning")),
            aliases=reader.texts(fields.get("aliases")),
            sources=reader.sources(fields.get("source")),
        )
        for name in (entry.term, *entry.aliases):
            if _key(name) in seen:
                problems.add(
                    item.line,
                    f"{item.path}",
                    f"'{name}' is already in the glossary (line {seen[_key(name)]})",
                )
            seen.setdefault(_key(name), item.line)
        entries.append(entry)
    return Glossary(tuple(entries)), problems.items
