"""The model's feature names: found by hash, told apart by name where hashes are shared."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from empathy_training.scoring.classifiers import HEADS_FILE, MODEL_FILE, load_model
from empathy_training.scoring.features import featurize
from empathy_training.scoring.vocabulary import Vocabulary, name_array

NAMES = sorted(["b:you feel", "w:café", "w:tired", "w:you", "t:you sound tired"])


def test_known_features_get_their_rows_and_unknown_ones_minus_one() -> None:
    vocabulary = Vocabulary(NAMES)
    asked = ["w:you", "w:zebra", "w:café", "w:a", "t:you sound tired"]
    assert vocabulary.positions(asked).tolist() == [
        NAMES.index("w:you"),
        -1,
        NAMES.index("w:café"),
        -1,
        NAMES.index("t:you sound tired"),
    ]
    assert vocabulary.rows(asked).tolist() == [
        NAMES.index("w:you"),
        NAMES.index("w:café"),
        NAMES.index("t:you sound tired"),
    ]


def test_a_name_longer_than_any_known_one_is_not_cut_down_to_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from empathy_training.scoring import vocabulary as module

    monkeypatch.setattr(module, "name_hash", lambda name: 7)  # one hash: every name compared
    vocabulary = Vocabulary(NAMES)
    longest = max(NAMES, key=lambda n: len(n.encode()))
    assert vocabulary.positions([longest + " again", longest + "s"]).tolist() == [-1, -1]
    assert vocabulary.rows([]).tolist() == []


def test_names_must_be_sorted_and_distinct() -> None:
    with pytest.raises(ValueError, match="sorted and distinct"):
        Vocabulary(["w:you", "w:tired"])
    with pytest.raises(ValueError, match="sorted and distinct"):
        Vocabulary(["w:you", "w:you"])
    with pytest.raises(ValueError, match="bytes array"):
        Vocabulary(np.array([1, 2, 3]))


def test_the_shipped_vocabulary_finds_every_name_it_holds_and_the_words_of_a_response() -> None:
    data = resources.files("empathy_training") / "data"
    model = load_model(data)
    with (data / MODEL_FILE).open("rb") as file, np.load(file) as arrays:
        stored = [n.decode() for n in arrays["features"].tolist()]
    assert len(model.vocabulary) == len(stored)
    rows = model.vocabulary.positions(stored[::997])
    assert rows.tolist() == list(range(0, len(stored), 997))
    features = featurize("You sound so tired 😴 <b>and</b> fed up.", "I'm tired.")
    known = model.vocabulary.rows(features)
    assert 0 < len(known) < len(features)
    assert all(stored[i] in features for i in known)


def test_names_that_share_a_hash_are_still_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    from empathy_training.scoring import vocabulary

    monkeypatch.setattr(vocabulary, "name_hash", lambda name: len(name) % 2)  # two hashes
    crowded = Vocabulary(NAMES)
    asked = [*reversed(NAMES), "w:cafe", "w:zzz", "t:you sound tire"]
    assert crowded.positions(asked).tolist() == [*reversed(range(len(NAMES))), -1, -1, -1]


def test_looked_up_rows_cannot_be_changed_by_whoever_asked() -> None:
    vocabulary = Vocabulary(NAMES)
    at = vocabulary.positions(("w:you", "w:tired"))
    assert at.base is vocabulary.positions(("w:you", "w:tired")).base  # the same tuple: kept
    with pytest.raises(ValueError, match="read-only"):
        at[0] = 3
    with pytest.raises(ValueError):
        at.flags.writeable = True
    assert vocabulary.positions(("w:you", "w:tired")).tolist() == [
        NAMES.index("w:you"),
        NAMES.index("w:tired"),
    ]


def test_a_hash_beyond_every_known_one_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    from empathy_training.scoring import vocabulary as module

    monkeypatch.setattr(module, "name_hash", len)  # the largest hash, 17, is shared by two
    names = sorted([*NAMES, "t:you sound tirex"])
    vocabulary = Vocabulary(names)
    asked = ["w:you", "a name longer than all", "t:you sound tirex", "t:you sound tireZ"]
    assert vocabulary.positions(asked).tolist() == [
        names.index("w:you"),
        -1,
        names.index("t:you sound tirex"),
        -1,
    ]


def test_a_model_file_without_feature_names_says_how_to_fix_it(tmp_path: Path) -> None:
    shipped = resources.files("empathy_training") / "data"
    (tmp_path / HEADS_FILE).write_text((shipped / HEADS_FILE).read_text("utf-8"), "utf-8")
    np.savez_compressed(tmp_path / MODEL_FILE, weights=np.zeros((2, 3), np.float16))
    with pytest.raises(ValueError, match=r"no feature names.*train_scorer"):
        load_model(tmp_path)


def test_the_stored_name_array_gives_the_same_vocabulary_as_the_names() -> None:
    stored = name_array(NAMES)
    assert stored.dtype.kind == "S" and [n.decode() for n in stored.tolist()] == NAMES
    assert Vocabulary(stored).positions(NAMES).tolist() == list(range(len(NAMES)))
