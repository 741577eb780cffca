"""Choosing a workshop's vignettes, and starting a workshop again by its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from empathy_training.errors import InputError
from empathy_training.models import Library
from empathy_training.storage import Store
from empathy_training.workshop_plan import choose_vignettes, split_ids, start_workshop


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'plan.db'}")


def test_nothing_chosen_is_the_first_module_not_the_whole_library(library: Library) -> None:
    chosen = choose_vignettes(library)
    assert chosen == tuple(v.id for v in library.modules[0].vignettes)
    assert len(chosen) < len(library.vignettes)


def test_modules_then_listed_vignettes_each_once(library: Library) -> None:
    second, third = library.modules[1], library.modules[2]
    extra = third.vignettes[0].id
    chosen = choose_vignettes(
        library, module_ids=[second.id], vignette_ids=[extra, second.vignettes[0].id]
    )
    assert chosen == (*(v.id for v in second.vignettes), extra)
    assert choose_vignettes(library, vignette_ids=[extra]) == (extra,)


def test_an_unknown_id_is_named_with_the_nearest_known_one(library: Library) -> None:
    real = library.vignettes[3].id
    with pytest.raises(InputError, match=f"Unknown vignette id '{real}x'.*Did you mean '{real}'"):
        choose_vignettes(library, vignette_ids=[library.vignettes[0].id, f"{real}x"])
    with pytest.raises(InputError, match="Unknown module id 'nope'"):
        choose_vignettes(library, module_ids=["nope"])


def test_split_ids() -> None:
    assert split_ids(" a,b ; c  d,,") == ("a", "b", "c", "d")
    assert split_ids("") == ()


def test_a_name_is_created_then_reopened_with_its_code(store: Store, library: Library) -> None:
    first = start_workshop(store, "Ward 4", library)
    assert not first.reopened
    assert first.workshop.vignette_ids == choose_vignettes(library)
    again = start_workshop(store, "ward 4", library)
    assert again.reopened and not again.vignettes_changed
    assert again.workshop.join_code == first.workshop.join_code
    assert len(store.workshops()) == 1


def test_reopening_with_other_vignettes_changes_them_and_keeps_the_code(
    store: Store, library: Library
) -> None:
    module = library.modules[1]
    first = start_workshop(store, "Ward 4", library)
    again = start_workshop(store, "Ward 4", library, module_ids=[module.id])
    assert again.reopened and again.vignettes_changed
    assert again.workshop.vignette_ids == tuple(v.id for v in module.vignettes)
    assert again.workshop.join_code == first.workshop.join_code
    same = start_workshop(store, "Ward 4", library, module_ids=[module.id])
    assert same.reopened and not same.vignettes_changed


def test_an_ended_workshop_is_not_reopened(store: Store, library: Library) -> None:
    first = start_workshop(store, "Ward 4", library)
    store.close_workshop(first.workshop.id)
    second = start_workshop(store, "Ward 4", library)
    assert not second.reopened
    assert second.workshop.join_code != first.workshop.join_code


def test_a_bad_id_stores_nothing(store: Store, library: Library) -> None:
    with pytest.raises(InputError, match="nope"):
        start_workshop(store, "Ward 4", library, vignette_ids=["nope"])
    assert store.workshops() == []
