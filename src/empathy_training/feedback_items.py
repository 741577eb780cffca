"""What a feedback report says about each response, raters' notes, and the comment bank."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from .models import HRQ_MEANINGS, ROADBLOCK_IDS, Assessment

#: Next steps listed per response, most important first.
MAX_NEXT_STEPS = 3
#: The comment bank shipped with the package.
COMMENT_BANK_FILE = "comment-bank.yml"


@dataclass(frozen=True)
class RaterNote:
    """What one human rater said about a response."""

    rater: str
    """The rater's name."""
    hrq_level: int | None
    """Their reflective-listening level, 1 to 5, or None if they gave none."""
    roadblocks: tuple[str, ...] = ()
    """Roadblock ids they saw."""
    comment: str = ""
    """Their comment to the trainee."""


@dataclass(frozen=True)
class ReportItem:
    """One response in a trainee's report, with everything said about it."""

    response: str
    """The trainee's words."""
    assessment: Assessment | None = None
    """The automatic assessment, with its evidence; None if the row was not scored."""
    client_statement: str = ""
    """What the client said."""
    vignette_title: str = ""
    """Title of the vignette, when the response answered one."""
    ratings: tuple[RaterNote, ...] = ()
    """Human raters' levels and comments."""
    error: str = ""
    """Why the response could not be scored, if it could not."""
    level: int | None = None
    """The automatic level when only the table's columns are known (no assessment)."""
    roadblocks: tuple[str, ...] = ()
    """The automatic roadblock ids when only the table's columns are known."""
    feedback: str = ""
    """The automatic feedback when only the table's columns are known."""

    @property
    def automatic_level(self) -> int | None:
        """The automatic reflective-listening level, if there is one."""
        return self.assessment.hrq_level if self.assessment else self.level

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to practise next, most important first, at most MAX_NEXT_STEPS.

        The missed criteria's feedback (criteria come in priority order), then one alternative
        per kind of roadblock that the criteria's feedback does not already give.
        """
        if self.assessment is None:
            return (self.feedback,) if self.feedback else ()
        steps = [c.feedback for c in self.assessment.criteria if not c.met and c.feedback]
        seen: set[str] = set()
        for finding in self.assessment.roadblocks:
            alternative = finding.alternative
            if not alternative or finding.category in seen:
                continue
            seen.add(finding.category)
            if not any(alternative in step for step in steps):
                steps.append(
                    f"Instead of {finding.category} (\u201c{finding.span.text}\u201d): "
                    f"{alternative}"
                )
        if not steps and self.assessment.feedback:
            steps.append(self.assessment.feedback)
        return tuple(dict.fromkeys(steps))[:MAX_NEXT_STEPS]


@dataclass(frozen=True)
class CommentBank:
    """Comments a rater can pick, by level, and a sentence per roadblock."""

    by_level: Mapping[int, tuple[str, ...]]
    """Comments for each reflective-listening level, 1 to 5."""
    by_roadblock: Mapping[str, str]
    """A sentence for each roadblock id."""

    def for_level(self, level: int | None) -> tuple[str, ...]:
        """The comments for this level (none for None)."""
        return self.by_level.get(level, ()) if level is not None else ()


def load_comment_bank(text: str | None = None) -> CommentBank:
    """The comment bank from YAML text, or the one shipped with the package.

    Raises ValueError naming what is wrong when the text does not describe a comment bank.
    """
    if text is None:
        text = (
            resources.files("empathy_training")
            .joinpath("rubrics", COMMENT_BANK_FILE)
            .read_text(encoding="utf-8")
        )
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
        raise ValueError("A comment bank needs a 'levels' mapping from level to comments.")
    by_level: dict[int, tuple[str, ...]] = {}
    for key, comments in data["levels"].items():
        if key not in HRQ_MEANINGS:
            raise ValueError(f"Comment bank: level {key!r} is not one of 1 to 5.")
        if not isinstance(comments, list) or not all(isinstance(c, str) for c in comments):
            raise ValueError(f"Comment bank: level {key} needs a list of comments.")
        by_level[int(key)] = tuple(" ".join(c.split()) for c in comments)
    roadblocks = data.get("roadblocks") or {}
    if not isinstance(roadblocks, dict):
        raise ValueError("Comment bank: 'roadblocks' must map roadblock ids to a sentence.")
    unknown = [k for k in roadblocks if k not in ROADBLOCK_IDS]
    if unknown:
        raise ValueError(f"Comment bank: unknown roadblock ids {', '.join(map(str, unknown))}.")
    return CommentBank(
        by_level=by_level,
        by_roadblock={str(k): " ".join(str(v).split()) for k, v in roadblocks.items()},
    )
