"""The one place louyu reads the clock.

Everything that depends on "now" (the build's publication day, scheduled and expired
items, coming activities, the screen's and the report's "now", stale sections, the time
a decision is made) asks this module. `LOUYU_CLOCK` (what `louyu build --clock` sets, and
what the tests set) pins it: `YYYY-MM-DD` is the start of that day, `YYYY-MM-DDTHH:MM[:SS]`
that moment, both in the platform's time zone. An environment variable rather than a
module global so that the build's worker processes and any `louyu` a test starts see the
same day.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo

ENV = "LOUYU_CLOCK"


class ClockError(ValueError):
    """A pinned clock that is not a day or a moment."""


def parse(text: str) -> dt.datetime:
    """`YYYY-MM-DD` or `YYYY-MM-DD[T ]HH:MM[:SS]` as a naive wall time."""
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        return dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=None)
    except ValueError:
        raise ClockError(f"时间“{text}”格式不对：应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM") from None


def pinned() -> dt.datetime | None:
    text = os.environ.get(ENV, "").strip()
    return parse(text) if text else None


def now(timezone: str | dt.tzinfo = "Asia/Shanghai") -> dt.datetime:
    """The current moment as an aware datetime in `timezone` (pinned when LOUYU_CLOCK is set)."""
    tz = zoneinfo.ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    at = pinned()
    if at is None:
        return dt.datetime.now(tz)
    return at.replace(tzinfo=tz)


def today(timezone: str | dt.tzinfo = "Asia/Shanghai") -> dt.date:
    return now(timezone).date()


def setting() -> str:
    """The pinned clock as set ('' when louyu follows the real clock): part of what a
    remembered build depends on."""
    return os.environ.get(ENV, "").strip()
