"""Building the apps the notebooks show, from the configured database and the bundled data."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from ..coaching import practice_targets
from ..loading import load_library
from ..models import Assessment
from ..records import default_database_url
from .practice import PracticeApp

if TYPE_CHECKING:
    from ..storage import Store


def score_response(*args: Any, **kwargs: Any) -> Assessment:
    """The scorer, imported on the first submission so that the page shows sooner."""
    from ..scoring import score_response as score

    return score(*args, **kwargs)


def open_store(url: str) -> Store:
    """The store at `url`, with the database code imported only now (see `practice_app`)."""
    from ..storage import Store

    return Store(url)


def practice_app(db_url: str | None = None) -> PracticeApp:
    """The trainee practice app on the configured database (EMPATHY_TRAINING_DB or SQLite).

    The database is opened at the first sign-in: the page shows without waiting for it.
    """
    logging.basicConfig(level=logging.WARNING)
    url = db_url or default_database_url()
    return PracticeApp(
        partial(open_store, url), load_library(), score_response, targets=practice_targets()
    )
