"""The rubric and lexicon files of the package (`rubrics/*.yml`), each read once."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

#: Package folder holding the rubric and lexicon files.
RUBRICS_FOLDER = "rubrics"


@cache
def lexicon(name: str) -> Mapping[str, Any]:
    """Load a package data file `rubrics/<name>.yml` once."""
    ref = resources.files("empathy_training").joinpath(RUBRICS_FOLDER, f"{name}.yml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(ref.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict):
        raise ValueError(f"{RUBRICS_FOLDER}/{name}.yml: expected a mapping at the top level")
    return data


@cache
def word_list(name: str, key: str) -> frozenset[str]:
    """A list of words from a lexicon file, in lower case (empty when the file has none)."""
    return frozenset(str(w).lower() for w in lexicon(name).get(key) or ())
