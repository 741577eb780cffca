"""A room of 40 trainees submitting at once: every attempt stored exactly once, none missed."""

from __future__ import annotations

from collections import Counter

import pytest

from empathy_training.storage import Store

from workload import run_trainees

TRAINEES = 40
ATTEMPTS = 25


def _submit_all_at_once(url: str) -> None:
    store = Store(url)
    workshop = store.create_workshop("Busy room", [f"vignette-{n}" for n in range(5)])
    polled: list[int] = []

    def poll_like_a_dashboard() -> None:
        since = polled[-1] if polled else None
        polled.extend(a.id for a in store.attempts(workshop_id=workshop.id, since_id=since))

    reports = run_trainees(
        url,
        trainees=TRAINEES,
        attempts=ATTEMPTS,
        retry_every=5,
        shared_name="Everyone",
        workshop_id=workshop.id,
        while_waiting=poll_like_a_dashboard,
    )
    poll_like_a_dashboard()

    stored = store.attempts()
    assert len(stored) == TRAINEES * ATTEMPTS
    assert len({a.client_attempt_id for a in stored}) == TRAINEES * ATTEMPTS
    assert Counter(a.trainee_id for a in stored) == {r.trainee_id: ATTEMPTS for r in reports}
    assert sorted(a.id for r in reports for a in store.attempts(trainee_id=r.trainee_id)) == sorted(
        i for r in reports for i in r.attempt_ids
    )
    # Everyone asked for the same name at the same moment: one trainee, not forty.
    assert len({r.shared_trainee_id for r in reports}) == 1
    names = [t.display_name for t in store.trainees(workshop.id)]
    assert names.count("Everyone") == 1
    assert len(names) == TRAINEES + 1
    # A dashboard polling with since_id saw every attempt exactly once, in order.
    assert polled == [a.id for a in stored]


def test_forty_trainees_at_once_on_sqlite(sqlite_url: str) -> None:
    _submit_all_at_once(sqlite_url)


@pytest.mark.postgres
def test_forty_trainees_at_once_on_postgresql(fresh_postgres_url: str) -> None:
    _submit_all_at_once(fresh_postgres_url)
