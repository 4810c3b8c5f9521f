"""What the research GUI shares: labels, colours, dates, source links (opened through the ``open_url`` seam), a
pill delegate for kinds and statuses, and the crawl options the GUI researches with (a seam tests replace)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView

from accounts.research.fetch import CrawlOptions
from ui import dialogs
from ui.context import AppContext
from ui.widgets.pill import PillDelegate as BasePill

URL_ROLE = Qt.ItemDataRole.UserRole + 60  # a cell that is a link: the address to open
PILL_ROLE = Qt.ItemDataRole.UserRole + 61  # a key of PILL_COLORS: the cell is painted as a pill
ROW_ROLE = Qt.ItemDataRole.UserRole + 62  # the plain row behind a table row

LINK, STALE, MUTED, WARN, GOOD, BAD = "#1d4ed8", "#b45309", "#94a3b8", "#b45309", "#047857", "#b91c1c"

FIELD_LABELS = {"name": "Name", "description": "Description", "logo": "Logo", "website": "Website",
                "address": "Address", "city": "HQ city", "region": "HQ region", "country": "HQ country",
                "phone": "Phone", "email": "Email", "founded": "Founded", "employees": "Employees",
                "industry_hint": "Industry"}
SOCIAL_LABELS = {"linkedin": "LinkedIn", "twitter": "X / Twitter", "facebook": "Facebook", "github": "GitHub",
                 "youtube": "YouTube", "instagram": "Instagram", "xing": "XING", "crunchbase": "Crunchbase"}
SIGNAL_LABELS = {"funding": "Funding", "hiring": "Hiring", "leadership_change": "Leadership", "expansion": "Expansion",
                 "product_launch": "Launch", "partnership": "Partnership", "acquisition": "Acquisition",
                 "news": "News", "technology_change": "Tech change", "event": "Event"}
# preferred order of technology categories: what a BDR asks about first
CATEGORY_LABELS = {"marketing_automation": "Marketing automation", "crm": "CRM", "abm": "ABM & intent",
                   "analytics": "Analytics", "tag_manager": "Tag manager", "chat": "Chat", "ab_testing": "A/B testing",
                   "heatmap": "Heatmaps & session replay", "cms": "CMS", "ecommerce": "E-commerce",
                   "ats": "Hiring / ATS", "support": "Customer support", "forms": "Forms",
                   "scheduling": "Scheduling", "advertising": "Advertising", "consent": "Consent",
                   "payments": "Payments", "video": "Video", "hosting": "Hosting", "cdn": "CDN"}
SENIORITY_LABELS = {"c_level": "C-level", "vp": "VP", "director": "Director", "manager": "Manager",
                    "individual_contributor": "Individual contributor"}
FUNCTION_LABELS = {"executive": "Executive", "finance": "Finance", "it": "IT", "engineering": "Engineering",
                   "security": "Security", "operations": "Operations", "sales": "Sales", "marketing": "Marketing",
                   "hr": "HR", "procurement": "Procurement", "legal": "Legal", "data": "Data",
                   "customer_success": "Customer success", "revops": "RevOps"}
PERSON_LABELS = {"accepted": "Stakeholder", "candidate": "Candidate", "dismissed": "Dismissed"}
QUEUE_LABELS = {"queued": "Waiting", "running": "Researching", "done": "Done", "failed": "Failed",
                "interrupted": "Interrupted"}
# (background, text) of each pill
PILL_COLORS = {
    "funding": ("#dcfce7", "#166534"), "hiring": ("#dbeafe", "#1e40af"), "leadership_change": ("#ede9fe", "#5b21b6"),
    "expansion": ("#ccfbf1", "#115e59"), "product_launch": ("#e0e7ff", "#3730a3"),
    "partnership": ("#cffafe", "#155e75"), "acquisition": ("#ffedd5", "#9a3412"), "news": ("#f1f5f9", "#475569"),
    "technology_change": ("#fef3c7", "#92400e"), "event": ("#fce7f3", "#9d174d"),
    "accepted": ("#dcfce7", "#166534"), "candidate": ("#dbeafe", "#1e40af"), "dismissed": ("#f1f5f9", "#94a3b8"),
    "queued": ("#f1f5f9", "#475569"), "running": ("#dbeafe", "#1e40af"), "done": ("#dcfce7", "#166534"),
    "failed": ("#fee2e2", "#991b1b"), "interrupted": ("#fef3c7", "#92400e"),
    "ok": ("#dcfce7", "#166534"), "error": ("#fee2e2", "#991b1b"), "none": ("#f1f5f9", "#64748b"),
    "new": ("#dbeafe", "#1e40af"), "differs": ("#fef3c7", "#92400e"), "same": ("#dcfce7", "#166534"),
    "info": ("#f1f5f9", "#64748b"),
}


def crawl_options(ctx: AppContext) -> CrawlOptions:
    """How the GUI crawls: the defaults (8 pages, a polite delay), the user's e-mail in the User-Agent.
    Tests replace this to crawl a local site without delays."""
    return CrawlOptions(contact=ctx.user.email or None)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def _local(value: dt.datetime) -> dt.datetime:
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone()


def day(value: dt.date | dt.datetime | None) -> str:
    """``12 Mar 2026`` (a datetime in local time), or an empty string."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    return f"{value.day} {value:%b %Y}"


def when(value: dt.datetime | None) -> str:
    """``12 Mar 2026 14:05`` in local time."""
    return "" if value is None else f"{day(value)} {_local(value):%H:%M}"


def short_url(url: str | None) -> str:
    """What a source column shows: the path (``/team``), or "home page"."""
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if not path and not parts.query:
        return "home page"
    return path + ("?" + parts.query if parts.query else "")


def link_data(url: str | None, role: int, text: str | None = None) -> Any:
    """The data of a link cell: blue, underlined, its full address as tooltip and under :data:`URL_ROLE`."""
    if not url:
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return text if text is not None else short_url(url)
    if role == Qt.ItemDataRole.ToolTipRole:
        return f"{url}\nClick to open"
    if role == URL_ROLE:
        return url
    if role == Qt.ItemDataRole.ForegroundRole:
        return QColor(LINK)
    if role == Qt.ItemDataRole.FontRole:
        font = QFont()
        font.setUnderline(True)
        return font
    return None


def open_links(view: QAbstractItemView) -> None:
    """Clicking a link cell of ``view`` opens it (through the ``open_url`` seam); the cursor says so."""
    view.setMouseTracking(True)

    def entered(index: QModelIndex) -> None:
        shape = Qt.CursorShape.PointingHandCursor if index.data(URL_ROLE) else Qt.CursorShape.ArrowCursor
        view.viewport().setCursor(shape)

    def clicked(index: QModelIndex) -> None:
        url = index.data(URL_ROLE)
        if url:
            dialogs.open_url(str(url))

    view.entered.connect(entered)
    view.clicked.connect(clicked)


class PillDelegate(BasePill):
    """Paints a cell whose :data:`PILL_ROLE` names a colour of :data:`PILL_COLORS` as a rounded pill."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(PILL_ROLE, PILL_COLORS, parent, shrink_pt=0.5, padding=16)
