"""Exceptions raised by empathy-training.

EmpathyTrainingError
 ├── ScenarioError          a scenario or rubric file is wrong (file, line, field)
 │    └── ScenarioErrors    several problems found in one validation pass
 ├── InputError             user input that cannot be scored or read
 │    ├── EmptyResponseError
 │    ├── ResponseTooLongError
 │    ├── NotEnglishError    the scorer reads English only
 │    ├── TooManyRowsError   a table longer than the reader accepts
 │    └── WorkshopEndedError an answer sent to a workshop the supervisor has ended
 └── StorageError           the database cannot be read or written
"""

from __future__ import annotations


class EmpathyTrainingError(Exception):
    """Base class of every error this package raises on purpose."""


class ScenarioError(EmpathyTrainingError):
    """One problem in a scenario or rubric file, located by file, line and field."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ScenarioErrors(ScenarioError):
    """Every problem found while loading one or more files."""

    def __init__(self, problems: list[ScenarioError]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.file, first.line, first.field, first.message)

    def __str__(self) -> str:
        return "\n".join(ScenarioError.__str__(p) for p in self.problems)


class InputError(EmpathyTrainingError):
    """User input that cannot be scored or read, with a message for the user."""


class EmptyResponseError(InputError):
    """The response is empty or only whitespace."""


class ResponseTooLongError(InputError):
    """The response is longer than the scorer accepts."""


class NotEnglishError(InputError):
    """The response does not read as English, which is all the scorer reads."""


class TooManyRowsError(InputError):
    """A table has more rows than the reader accepts (found while reading, not after)."""


class StorageError(EmpathyTrainingError):
    """The database cannot be read or written."""


class WorkshopEndedError(InputError):
    """An answer was sent to a workshop the supervisor has ended; earlier answers are kept."""

    MESSAGE = "This workshop has ended; your answers are saved."
