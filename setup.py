"""Build script: the scorer's hot modules are compiled with mypyc where a C compiler is found.

The compiled modules are the same Python files, type-checked and turned into C extensions; they
score about half again as fast. Without a compiler, or with EMPATHY_TRAINING_COMPILE=0, the
package installs as plain Python and behaves the same. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from setuptools import setup

#: Modules compiled: text analysis, the response-type classifier and the scorer.
COMPILED = [
    "src/empathy_training/language.py",
    "src/empathy_training/behaviour.py",
    "src/empathy_training/scoring.py",
]


def ext_modules() -> list[Any]:
    """The compiled modules, each optional: a failed build leaves the plain Python module."""
    if os.environ.get("EMPATHY_TRAINING_COMPILE", "1") == "0":
        for stale in Path("src").glob("**/*.so"):  # left by an earlier compiled editable install
            stale.unlink()
        return []
    try:
        from mypyc.build import mypycify

        modules = mypycify(COMPILED, opt_level="3", group_name="empathy_training")
    except (Exception, SystemExit) as error:  # a type error makes mypyc exit
        print(f"empathy-training: not compiling the scorer ({error!r}); plain Python it is")
        return []
    for module in modules:
        module.optional = True
    return list(modules)


setup(ext_modules=ext_modules())
