"""The supervisor's live workshop dashboard, one component per part (see `app.DashboardApp`)."""

from __future__ import annotations

import logging
import os

from ...loading import load_library
from ...serve import TRAINEE_URL_ENV, WORKSHOP_ENV
from ...storage import Store, default_database_url
from .app import DEFAULT_POLL_SECONDS, DashboardApp

__all__ = [
    "DEFAULT_POLL_SECONDS",
    "TRAINEE_URL_ENV",
    "WORKSHOP_ENV",
    "DashboardApp",
    "dashboard_app",
]


def dashboard_app(
    db_url: str | None = None, *, poll_seconds: float = DEFAULT_POLL_SECONDS
) -> DashboardApp:
    """The dashboard on the configured database, with the trainee URL and the workshop to open
    from the environment (`serve` sets both)."""
    logging.basicConfig(level=logging.WARNING)
    store = Store(db_url or default_database_url())
    trainee_url = os.environ.get(TRAINEE_URL_ENV, "").strip() or None
    workshop = os.environ.get(WORKSHOP_ENV, "").strip()
    return DashboardApp(
        store,
        load_library(),
        poll_seconds=poll_seconds,
        trainee_url=trainee_url,
        workshop_id=int(workshop) if workshop.isdigit() else None,
    )
