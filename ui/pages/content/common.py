"""What the content views and the account Content tab share: who may curate, labels, badges, and the seams to
the world outside the app (opening a link, the clipboard).

``open_url``, ``run_dialog`` and ``choose_files`` are the seams tests replace
(``monkeypatch.setattr(common, "open_url", ...)``); callers reach them through the module (``common.run_dialog``)
so a replacement takes effect everywhere.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from sqlalchemy import select

from content_library.files import store_for
from content_library.models import CONTENT_STATUSES, CONTENT_TYPES, ContentFacet, ContentItem
from content_library.queries import STATUS_LABELS, TYPE_LABELS
from content_library.usage import record_usage
from ui import dialogs
from ui.context import AppContext

CURATORS = ("marketing", "manager")
VOCAB_TITLES = {"type": "Type", "industry": "Industry", "size_band": "Company size", "pain": "Pain",
                "persona": "Persona", "funnel_stage": "Funnel stage", "competitor": "Competitor", "status": "Status"}
FACET_GROUPS = ("industry", "size_band", "pain", "persona", "funnel_stage", "type", "competitor", "status")
TAG_VOCABULARIES = ("industry", "size_band", "pain", "persona", "funnel_stage", "competitor")

# badge kinds → (text colour, background)
BADGE_COLORS = {
    "type": ("#3730a3", "#e0e7ff"),
    "draft": ("#475569", "#e2e8f0"),
    "archived": ("#64748b", "#f1f5f9"),
    "stale": ("#92400e", "#fef3c7"),
    "used": ("#065f46", "#d1fae5"),
}
STALE_COLOR = "#b45309"


def can_curate(ctx: AppContext) -> bool:
    """Marketing and managers curate the library; BDRs find, send and ask."""
    return ctx.user.role in CURATORS


def type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind.replace("_", " ").capitalize())


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.capitalize())


def term_label(ctx: AppContext, vocabulary: str, term: str) -> str:
    if vocabulary == "type":
        return type_label(term)
    if vocabulary == "status":
        return status_label(term)
    if vocabulary == "competitor":
        return term
    return ctx.taxonomy.label(vocabulary, term)


def term_options(ctx: AppContext, vocabulary: str) -> list[tuple[str, str]]:
    """(key, label) for every value of a facet, in the taxonomy's order (types and statuses in theirs)."""
    if vocabulary == "type":
        return [(t, type_label(t)) for t in CONTENT_TYPES]
    if vocabulary == "status":
        return [(s, status_label(s)) for s in CONTENT_STATUSES]
    if vocabulary == "competitor":
        with ctx.workspace.session() as s:
            names = s.scalars(select(ContentFacet.term).where(ContentFacet.vocabulary == "competitor")
                              .distinct().order_by(ContentFacet.term)).all()
        return [(n, n) for n in names]
    return [(t.key, t.label) for t in ctx.taxonomy.terms.get(vocabulary, [])]


def is_stale(review_by: dt.date | None, today: dt.date | None = None) -> bool:
    return review_by is not None and review_by < (today or dt.date.today())


def badges(kind: str, status: str, review_by: dt.date | None) -> list[tuple[str, str]]:
    """(text, badge kind) pairs for a result row: its type, then draft/archived/stale when it is one."""
    out = [(type_label(kind), "type")]
    if status in ("draft", "archived"):
        out.append((status_label(status), status))
    if status != "archived" and is_stale(review_by):
        out.append(("Stale", "stale"))
    return out


def short_date(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone().date()
    return value.strftime("%d %b %Y").lstrip("0")


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


# ---- the world outside ----

def run_dialog(dialog: QDialog) -> int:
    """Show a modal dialog of the library (tests replace this and drive the dialog themselves)."""
    return dialog.exec()


def choose_files(parent: QWidget | None) -> list[str]:
    """Ask for documents to add to the library; an empty list when the user cancels."""
    paths, _ = QFileDialog.getOpenFileNames(
        parent, "Add files to the library", "",
        "Documents (*.pdf *.docx *.pptx *.xlsx *.html *.htm *.md *.markdown *.txt);;All files (*)")
    return list(paths)


def open_url(url: str) -> bool:
    """Open a web address or a local file in the system's handler (the seam tests replace; the app's one
    opener is :func:`ui.dialogs.open_url`)."""
    return dialogs.open_url(url)


def item_link(ctx: AppContext, item_id: int) -> str | None:
    """The item's web address, else its stored file as a ``file://`` URL, else None."""
    with ctx.workspace.session() as s:
        row = s.execute(select(ContentItem.url, ContentItem.file_sha256, ContentItem.file_name)
                        .where(ContentItem.id == item_id)).first()
    if row is None:
        return None
    url, sha, name = row
    if url:
        return url
    if sha:
        try:
            path = store_for(ctx.workspace.url).path_for(sha, name or "")
        except ValueError:
            return None
        return QUrl.fromLocalFile(str(path)).toString() if path.is_file() else None
    return None


def copy_link(ctx: AppContext, item_id: int, *, account_id: int | None = None,
              contact_id: int | None = None) -> str | None:
    """Put the item's link on the clipboard and count it as used ("copied_link"); None when it has no link."""
    link = item_link(ctx, item_id)
    if not link:
        return None
    dialogs.copy_text(link)
    with ctx.workspace.session() as s:
        record_usage(s, item_id, "copied_link", account_id=account_id, contact_id=contact_id,
                     user_id=ctx.user.id)
    return link


def open_item(ctx: AppContext, item_id: int) -> bool:
    link = item_link(ctx, item_id)
    return bool(link) and open_url(link)
