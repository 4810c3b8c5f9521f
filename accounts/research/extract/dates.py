"""Dates in page text and attributes, English and German: ISO ``2024-03-05`` (with or without a time),
``March 5, 2024`` / ``Mar. 5th, 2024`` / ``5 March 2024``, ``5. März 2024`` / ``05.03.2024``, ``03/05/2024``
(month first unless the page is not US English or the first number exceeds 12), ``March 2024`` (the 1st), and
dates in URL paths (``/2019/03/29/``). Implausible dates (before 1990, or more than a year after capture) are
refused.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    "jan": 1, "january": 1, "januar": 1, "jänner": 1, "janvier": 1, "feb": 2, "february": 2, "februar": 2,
    "feber": 2, "mar": 3, "march": 3, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "apr": 4, "april": 4, "may": 5,
    "mai": 5, "jun": 6, "june": 6, "juni": 6, "jul": 7, "july": 7, "juli": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "okt": 10, "oktober": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12, "dez": 12, "dezember": 12,
}
_MON = r"(?P<mon>" + "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_PATTERNS = (
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]?\d)-(?P<d>[0-3]?\d)(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?\b")),
    ("mdy", re.compile(r"(?i)\b" + _MON + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b")),
    ("dmy", re.compile(r"(?i)\b(?P<d>[0-3]?\d)(?:st|nd|rd|th|\.)?\s+(?:of\s+)?" + _MON + r",?\s+(?P<y>(?:19|20)\d\d)\b")),
    ("dotted", re.compile(r"\b(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b")),
    ("slash", re.compile(r"\b(?P<a>[01]?\d|[23]\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d\d)\b")),
    ("my", re.compile(r"(?i)\b" + _MON + r"\s+(?P<y>(?:19|20)\d\d)\b")),
)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>[01]?\d)(?:[/-](?P<d>[0-3]?\d))?(?:/|$|-)")


def _make(y: int, m: int, d: int, today: dt.date) -> dt.date | None:
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return None
    if value.year < 1990 or value > today + dt.timedelta(days=366):
        return None
    return value


def find_date(text: str, today: dt.date | None = None, month_first: bool = True) -> tuple[dt.date, str] | None:
    """The earliest-placed date in ``text`` and the matched string, or None."""
    if not text:
        return None
    today = today or dt.date.today()
    best: tuple[int, dt.date, str] | None = None
    for kind, rx in _PATTERNS:
        for m in rx.finditer(text[:5000]):
            if best is not None and m.start() >= best[0]:
                break
            g = m.groupdict()
            y = int(g["y"])
            if kind == "iso":
                value = _make(y, int(g["m"]), int(g["d"]), today)
            elif kind in ("mdy", "dmy"):
                value = _make(y, _MONTHS[g["mon"].lower().rstrip(".")], int(g["d"]), today)
            elif kind == "dotted":
                value = _make(y, int(g["m"]), int(g["d"]), today)
            elif kind == "slash":
                a, b = int(g["a"]), int(g["b"])
                if a > 12 or not month_first:
                    a, b = b, a
                value = _make(y, a, b, today)
            else:
                value = _make(y, _MONTHS[g["mon"].lower().rstrip(".")], 1, today)
            if value is not None:
                best = (m.start(), value, m.group(0))
                break
    return (best[1], best[2]) if best else None


def parse_date(value: str | None, today: dt.date | None = None) -> dt.date | None:
    """A date from an attribute (``datetime``, ``datePublished``, ``article:published_time``) or a short string."""
    if not value:
        return None
    hit = find_date(str(value)[:200], today)
    return hit[0] if hit else None


def url_date(url: str, today: dt.date | None = None) -> dt.date | None:
    m = _URL_DATE.search(url or "")
    if not m:
        return None
    return _make(int(m.group("y")), int(m.group("m")), int(m.group("d") or 1), today or dt.date.today())
