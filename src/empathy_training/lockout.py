"""How long to make someone wait after wrong passcodes or personal codes.

A few mistakes cost nothing; after that each further wrong try doubles the wait, up to an hour.
The figures are set by us: five free tries in fifteen minutes lets a person who mistypes carry
on, while a script guessing a four-character passcode needs months instead of minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

__all__ = ["FREE_TRIES", "WINDOW", "wait_seconds"]

#: Wrong tries within WINDOW that cost no waiting.
FREE_TRIES = 5
#: How far back wrong tries count.
WINDOW = timedelta(minutes=15)
#: The wait after the first try beyond FREE_TRIES, doubled for each one after it.
FIRST_WAIT = timedelta(seconds=30)
#: The longest wait.
LONGEST_WAIT = timedelta(hours=1)


def wait_seconds(failures: Sequence[datetime], now: datetime) -> int:
    """Seconds to wait before the next try, given when earlier tries failed (any order)."""
    recent = sorted(moment for moment in failures if now - moment <= WINDOW)
    extra = len(recent) - FREE_TRIES
    if extra < 0:
        return 0
    wait = min(FIRST_WAIT * 2 ** min(extra, 20), LONGEST_WAIT)
    remaining = recent[-1] + wait - now
    return max(0, int(remaining.total_seconds() + 0.999))
