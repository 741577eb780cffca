"""The model's feature names, looked up without a dictionary of a hundred thousand strings."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

#: Rows of a weight matrix (-1: a feature the model does not know).
Rows = np.ndarray[Any, np.dtype[np.intp]]
#: The hash the names are found by (Python's own, as its dictionaries use).
name_hash = hash


def name_array(names: Sequence[str]) -> np.ndarray[Any, Any]:
    """Feature names as the fixed-width UTF-8 array a model file stores."""
    encoded = [name.encode() for name in names]
    return np.array(encoded, dtype=f"S{max(map(len, encoded), default=1)}")


class Vocabulary:
    """Sorted feature names, found through a sorted array of their 64-bit hashes: the names
    themselves are dropped once hashed (but for the few that share a hash), so a vocabulary
    takes about 13 bytes a name, a small fraction of what a `dict[str, int]` takes. A look-up
    is slower than a dict's (tens of microseconds), but the scorer makes one per response and
    shares it.

    Names that share a hash are told apart by name. A feature the model does not know could
    be taken for one it knows only if their hashes were equal: with about 10^5 names, one
    chance in 10^14 per feature looked up on a 64-bit Python (whose string hash is keyed
    afresh in each process unless PYTHONHASHSEED fixes it, so a response cannot be written to
    collide)."""

    def __init__(self, names: Sequence[str] | np.ndarray[Any, Any]) -> None:
        """From the names as text, or as the fixed-width bytes array a model file stores."""
        if isinstance(names, np.ndarray):
            if names.dtype.kind != "S" or names.ndim != 1:
                raise ValueError(f"feature names must be a 1-d bytes array, not {names.dtype}")
        else:
            names = name_array(names)
        if len(names) > 1 and not bool(np.all(names[1:] > names[:-1])):
            raise ValueError("the model's feature names must be sorted and distinct")
        hashes = np.fromiter(
            (
                name_hash(name.decode())
                for start in range(0, len(names), 4096)  # a few names at a time: less memory
                for name in names[start : start + 4096].tolist()
            ),
            dtype=np.int64,
            count=len(names),
        )
        self._order = np.argsort(hashes, kind="stable").astype(np.int32)
        self._hashes = hashes[self._order]
        ties = self._hashes[1:] == self._hashes[:-1]
        shared = np.zeros(len(self._hashes), dtype=bool)
        shared[:-1] |= ties
        shared[1:] |= ties
        self._shared = shared
        #: The names of the rows whose hash another name shares (the only names kept).
        self._names: dict[int, bytes] = {
            int(row): bytes(names[row]) for row in self._order[shared].tolist()
        }
        self._recent = lru_cache(maxsize=64)(self._look_up)

    def __len__(self) -> int:
        return len(self._hashes)

    def positions(self, features: Sequence[str]) -> Rows:
        """Each feature's row, or -1 for a feature the model does not know (read-only; kept
        for the last few tuples of features, which the scorer looks up more than once)."""
        found = self._recent(features) if isinstance(features, tuple) else self._look_up(features)
        return found.view()  # a view of a read-only array cannot be made writeable

    def _look_up(self, features: Sequence[str]) -> Rows:
        found = np.full(len(features), -1, dtype=np.intp)
        if not len(features) or not len(self._hashes):
            found.flags.writeable = False
            return found
        wanted = np.fromiter(map(name_hash, features), dtype=np.int64, count=len(features))
        at = np.minimum(np.searchsorted(self._hashes, wanted), len(self._hashes) - 1)
        hit = np.flatnonzero(self._hashes[at] == wanted)
        found[hit] = self._order[at[hit]]
        for i in hit[self._shared[at[hit]]].tolist():  # a hash two known names share
            found[i] = self._row(features[i].encode(), int(at[i]))
        found.flags.writeable = False
        return found

    def _row(self, name: bytes, j: int) -> int:
        """The row of `name` among the names whose hash is the one at `j`: for the rare name
        that shares its hash with another."""
        same = self._hashes[j]
        while j < len(self._hashes) and self._hashes[j] == same:
            row = int(self._order[j])
            if self._names[row] == name:
                return row
            j += 1
        return -1

    def rows(self, features: Sequence[str]) -> Rows:
        """The rows of the features the model knows, in the order given."""
        at = self.positions(features)
        return at[at >= 0]
