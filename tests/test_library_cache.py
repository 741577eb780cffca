"""The parsed-library cache: used only for the same files, and never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from empathy_training.library_cache import cache_key
from empathy_training.loading import bundled_scenarios_dir, load_library, scenario_files


@pytest.fixture
def scenarios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "scenarios"
    shutil.copytree(bundled_scenarios_dir(), folder)
    return folder


def test_a_second_load_comes_from_the_cache_and_is_the_same(scenarios: Path) -> None:
    first = load_library([scenarios])
    assert list((scenarios.parent / "cache").rglob("library-*.pickle"))
    assert load_library([scenarios]) == first


def test_an_edited_file_is_read_again(scenarios: Path) -> None:
    before = load_library([scenarios])
    file = next(iter(sorted(scenarios.glob("01-*.yml"))))
    title = before.modules[0].vignettes[0].title
    file.write_text(file.read_text().replace(title, "A title changed since", 1))
    assert load_library([scenarios]).modules[0].vignettes[0].title == "A title changed since"


def test_a_damaged_cache_is_ignored(scenarios: Path) -> None:
    expected = load_library([scenarios])
    for cached in (scenarios.parent / "cache").rglob("library-*.pickle"):
        cached.write_bytes(b"not a pickle")
    assert load_library([scenarios]) == expected


def test_the_key_depends_on_the_files(scenarios: Path) -> None:
    files = scenario_files([scenarios])
    assert cache_key(files) == cache_key(files) != cache_key(files[:-1])
