"""What the grader has open: the batch, its rows, the ratings given, the row chosen, who rates."""

from __future__ import annotations

import pandas as pd

from ...batches import UPLOAD_PREFIX, Batch, review_table
from ...models import Assessment, Library
from ...review import attempt_id_at, attempt_ids, vignette_label
from ...storage import RatingRecord, Store, WorkshopRecord

#: Most attempt ids read in one query of the ratings (keeps each IN (...) list short).
RATINGS_CHUNK = 900


class GradingState:
    """Shared by the grading app's components; each reads it, and the app changes it."""

    def __init__(self, store: Store, library: Library) -> None:
        self.store = store
        """Where uploads, attempts and ratings are kept."""
        self.library = library
        """The vignettes responses may answer."""
        self.batch = Batch(name="", graded=pd.DataFrame())
        """The batch open for grading."""
        self.table = pd.DataFrame()
        """Its review table (`batches.review_table`); empty until a batch is open."""
        self.ratings: dict[int, dict[str, RatingRecord]] = {}
        """Every rating of the open rows: attempt id -> rater -> rating."""
        self.selected: int | None = None
        """The row open in the rating panel (a position in `table`), if any."""
        self.rater = ""
        """The rater's name as typed, spaces trimmed."""
        self.blind = False
        """Whether other raters' ratings are hidden."""

    @property
    def assessments(self) -> tuple[Assessment | None, ...]:
        """Each open row's assessment; None where it was not scored."""
        return self.batch.assessments

    def open(self, batch: Batch) -> None:
        """Open a batch: its rows, no row chosen, and every rating of them from the store."""
        self.batch = batch
        self.table = review_table(batch)
        self.selected = None
        self.reload_ratings()

    def reload_ratings(self) -> None:
        """Read every rating of the open rows from the store (other raters' too)."""
        ids = [i for i in attempt_ids(self.table) if i is not None]
        self.ratings = {}
        for start in range(0, len(ids), RATINGS_CHUNK):
            for record in self.store.ratings(ids[start : start + RATINGS_CHUNK]):
                self.ratings.setdefault(record.attempt_id, {})[record.rater] = record

    def attempt_id(self, position: int) -> int | None:
        """The attempt of the row at `position`, or None where it was not scored."""
        return attempt_id_at(self.table, position)

    def given(self, position: int) -> dict[str, RatingRecord]:
        """The ratings of the row at `position`, by rater."""
        attempt_id = self.attempt_id(position)
        return self.ratings.get(attempt_id, {}) if attempt_id is not None else {}

    def raters(self) -> list[str]:
        """Everyone who has rated an open row, by name."""
        return sorted({r for given in self.ratings.values() for r in given}, key=str.casefold)

    def visible_raters(self) -> list[str]:
        """The raters whose ratings may be shown: only this rater's own when blind."""
        return [r for r in self.raters() if not self.blind or r == self.rater]

    def vignette_label(self, vignette_id: str) -> str:
        """A vignette's title (or its id when unknown)."""
        return vignette_label(self.library, vignette_id)

    def occasions(self) -> list[tuple[str, int]]:
        """Stored uploads and workshops, newest first, as (label, workshop id) choices."""
        return [(_occasion_label(w), w.id) for w in reversed(self.store.workshops())]


def _occasion_label(workshop: WorkshopRecord) -> str:
    name = (
        workshop.name if workshop.name.startswith(UPLOAD_PREFIX) else f"Workshop: {workshop.name}"
    )
    return f"{name} ({workshop.created_at.astimezone():%Y-%m-%d %H:%M})"
