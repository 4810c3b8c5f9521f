"""The workspace's business calendar: which weekdays sequences run on, and holidays they skip.

Stored in ``workspace_settings`` under ``business_calendar`` as ``{"weekdays": [0..6], "holidays": ["YYYY-MM-DD"]}``
(Monday = 0). The default is Monday to Friday with no holidays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from accounts.settings import get_setting, put_setting

SETTING = "business_calendar"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class BusinessCalendar:
    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise CalendarError("a business calendar needs at least one weekday (0 = Monday … 6 = Sunday)")

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a business day, else the first business day after it."""
        for _ in range(3660):
            if self.is_business_day(day):
                return day
            day += dt.timedelta(days=1)
        raise CalendarError("the business calendar has no working day in the next ten years")

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The business day ``days`` working days after ``start`` (day 0 = ``start`` or the next working day)."""
        day = self.next_business_day(start)
        for _ in range(max(days, 0)):
            day = self.next_business_day(day + dt.timedelta(days=1))
        return day

    def as_json(self) -> dict[str, list]:
        return {"weekdays": sorted(self.weekdays), "holidays": sorted(d.isoformat() for d in self.holidays)}


def load_calendar(session: Session) -> BusinessCalendar:
    raw = get_setting(session, SETTING, {})
    value = raw if isinstance(raw, dict) else {}
    try:
        weekdays = frozenset(int(d) for d in value.get("weekdays", range(5)))
        holidays = frozenset(dt.date.fromisoformat(str(d)) for d in value.get("holidays", []))
        return BusinessCalendar(weekdays, holidays)
    except (TypeError, ValueError):
        return BusinessCalendar()


def save_calendar(session: Session, calendar: BusinessCalendar) -> None:
    put_setting(session, SETTING, calendar.as_json())
