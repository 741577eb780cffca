"""An uploaded file of responses: read from its bytes, or refused with a message for the grader."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, TooManyRowsError
from .grading import XLSX_SUFFIXES, read_responses
from .tables import workbook_notes

__all__ = ["MAX_UPLOAD_BYTES", "MAX_UPLOAD_ROWS", "UploadedFile", "read_upload"]

#: Most responses one upload may hold; larger files: split them, or use `empathy-training grade`.
MAX_UPLOAD_ROWS = 20_000
#: Largest upload accepted, in bytes. The server's websocket message limit must be larger
#: (Tornado's default, 10 MiB, drops a bigger upload before the app sees it).
MAX_UPLOAD_BYTES = 30_000_000
#: What a grader can do with a file too large for the app.
_TOO_LARGE_HINT = (
    "Split the file, or grade it on the command line with: empathy-training grade IN -o OUT"
)


@dataclass(frozen=True)
class UploadedFile:
    """The responses read from an uploaded file, ready to score."""

    name: str
    """The file's name as uploaded."""
    table: pd.DataFrame = field(repr=False, hash=False, compare=False)
    """Its rows, every cell as text (see `grading.read_responses`)."""
    notes: tuple[str, ...] = ()
    """What the grader should know: cells cut to length, merged cells, formulas, other sheets."""


def read_upload(
    name: str,
    content: bytes,
    *,
    max_rows: int = MAX_UPLOAD_ROWS,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> UploadedFile:
    """Read an uploaded CSV or XLSX file (by the suffix of `name`).

    Raises InputError with a message to show the grader, naming the file as uploaded: for a
    file larger than `max_bytes` or with more than `max_rows` responses, and for anything
    `grading.read_responses` refuses.
    """
    if len(content) > max_bytes:
        raise InputError(
            f"{name} is {len(content) / 1e6:.1f} MB; the app accepts files up to "
            f"{max_bytes / 1e6:.0f} MB. {_TOO_LARGE_HINT}"
        )
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"uploaded-file{suffix}"
        path.write_bytes(content)
        try:
            table = read_responses(path, max_rows=max_rows)
        except TooManyRowsError:
            raise InputError(
                f"{name} holds more than {max_rows:,} responses; the app grades up to that "
                f"many at a time. {_TOO_LARGE_HINT}"
            ) from None
        except InputError as exc:
            raise InputError(f"{name} could not be read: {_named(str(exc), path, name)}") from None
        notes = list(table.attrs.get("notes", []))
        if suffix in XLSX_SUFFIXES:
            notes += workbook_notes(path)
    return UploadedFile(name=name, table=table, notes=tuple(notes))


def _named(text: str, path: Path, name: str) -> str:
    """An error message with the temporary file's path replaced by the uploaded file's name."""
    return text.replace(str(path), name).replace(path.name, name)
