"""Building the apps the notebooks show, from the configured database and the bundled data."""

from __future__ import annotations

import logging
from typing import Any

from ..coaching import practice_targets
from ..loading import load_library
from ..models import Assessment
from ..storage import Store, default_database_url
from .practice import PracticeApp


def score_response(*args: Any, **kwargs: Any) -> Assessment:
    """The scorer, imported on the first submission so that the page shows sooner."""
    from ..scoring import score_response as score

    return score(*args, **kwargs)


def practice_app(db_url: str | None = None) -> PracticeApp:
    """The trainee practice app on the configured database (EMPATHY_TRAINING_DB or SQLite)."""
    logging.basicConfig(level=logging.WARNING)
    store = Store(db_url or default_database_url())
    return PracticeApp(store, load_library(), score_response, targets=practice_targets())
