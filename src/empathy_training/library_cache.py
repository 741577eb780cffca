"""A cache of parsed vignette libraries.

Every kernel of the apps loads the library when it starts, and parsing the YAML takes about half
a second; unpickling the same library takes milliseconds. A cached library is used only for
exactly the same files read by exactly the same code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import platformdirs

from .models import Library

__all__ = ["cache_key", "read_cache", "write_cache"]


def cache_key(files: list[Path]) -> str:
    """A digest of the files' contents and of the code that builds a Library from them."""
    digest = hashlib.sha256()
    for source in (
        Path(__file__).with_name(n)
        for n in ("loading.py", "models.py", "vignettes.py", "yaml_fields.py")
    ):
        digest.update(source.read_bytes())
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _cache_file(key: str) -> Path:
    return Path(platformdirs.user_cache_dir("empathy-training")) / f"library-{key}.pickle"


def read_cache(key: str) -> Library | None:
    """The library parsed earlier from exactly these files, or None."""
    try:
        library = pickle.loads(_cache_file(key).read_bytes())
    except Exception:  # no cache yet, or one that cannot be read: parse the files instead
        return None
    return library if isinstance(library, Library) else None


def write_cache(key: str, library: Library) -> None:
    """Keep the parsed library for the next kernel; a cache that cannot be written is skipped."""
    path = _cache_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(library, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
    except OSError:
        return
